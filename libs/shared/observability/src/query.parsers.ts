import { ApiErrorCode, isValidId } from '@millwright/contracts';
import { apiError } from './api-error';

/** Query and path parameters are checked here so that a bad one is a 400 with a code, never a 500. */
export function parseIntParam(name: string, raw: string | undefined, o: { min: number; max: number; default?: number }): number | undefined {
  if (raw === undefined || raw === '') return o.default;
  if (!/^-?\d+$/.test(raw)) throw apiError(400, ApiErrorCode.ValidationFailed, `${name} must be an integer`, { parameter: name });
  const n = Number(raw);
  if (n < o.min || n > o.max) throw apiError(400, ApiErrorCode.ValidationFailed, `${name} must be between ${o.min} and ${o.max}`, { parameter: name });
  return n;
}

export function parseIdParam(name: string, raw: string | undefined, o: { required: boolean }): string | undefined {
  if (raw === undefined || raw === '') {
    if (o.required) throw apiError(400, ApiErrorCode.ValidationFailed, `${name} is required`, { parameter: name });
    return undefined;
  }
  if (!isValidId(raw)) throw apiError(400, ApiErrorCode.ValidationFailed, `${name} must be 1-64 characters of [A-Za-z0-9_-]`, { parameter: name });
  return raw;
}

export function parseTimeParam(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw apiError(400, ApiErrorCode.ValidationFailed, `${name} must be epoch ms or an ISO-8601 time`, { parameter: name });
  return n;
}

/** If-Match carries the version as an ETag: `"12"` or `W/"12"`. */
export function parseIfMatch(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(raw);
  if (!m) throw apiError(400, ApiErrorCode.InvalidIfMatch, 'If-Match must be an ETag of this API, such as "12"');
  return Number(m[1]);
}

export const etagOf = (version: number): string => `"${version}"`;

export const MERGE_PATCH = 'application/merge-patch+json';

/** Desired-state PATCHes take a JSON merge patch (RFC 7396); plain JSON is accepted as the same. */
export function requireMergePatch(contentType: string | undefined): void {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== MERGE_PATCH && type !== 'application/json') throw apiError(415, ApiErrorCode.UnsupportedMediaType, `send ${MERGE_PATCH}`);
}
