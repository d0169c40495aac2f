/**
 * Every error that crosses a process boundary (dead letters, HTTP bodies, NATS replies) is one of
 * these string codes. Clients switch on the code; the accompanying message is for humans only.
 */
export const IngestRejectCode = {
  MalformedJson: 'malformed_json',
  PayloadTooLarge: 'payload_too_large',
  UnknownSubject: 'unknown_subject',
  SubjectMismatch: 'subject_mismatch',
  InvalidShape: 'invalid_shape',
  InvalidId: 'invalid_id',
  InvalidSeq: 'invalid_seq',
  InvalidTimestamp: 'invalid_timestamp',
  TimestampInFuture: 'timestamp_in_future',
  InvalidValues: 'invalid_values',
  ValueNotFinite: 'value_not_finite',
  TooManyValues: 'too_many_values',
  InvalidUnits: 'invalid_units',
  BatchEmpty: 'batch_empty',
  BatchTooLarge: 'batch_too_large',
} as const;
export type IngestRejectCode = (typeof IngestRejectCode)[keyof typeof IngestRejectCode];

/** Why the central platform refused something from a site's outbox (it goes to a dead letter). */
export const SyncRejectCode = {
  MalformedPayload: 'malformed_payload',
  InvalidShape: 'invalid_shape',
  SiteMismatch: 'site_mismatch',
  InvalidDelta: 'invalid_delta',
  UnknownSubject: 'unknown_subject',
} as const;
export type SyncRejectCode = (typeof SyncRejectCode)[keyof typeof SyncRejectCode];

export const ApiErrorCode = {
  ValidationFailed: 'validation_failed',
  TwinNotFound: 'twin_not_found',
  VersionMismatch: 'version_mismatch',
  InvalidIfMatch: 'invalid_if_match',
  InvalidMergePatch: 'invalid_merge_patch',
  DocumentTooLarge: 'document_too_large',
  DocumentTooDeep: 'document_too_deep',
  UnsupportedMediaType: 'unsupported_media_type',
  NotFound: 'not_found',
  OrderNotFound: 'order_not_found',
  IllegalTransition: 'illegal_transition',
  ReasonRequired: 'reason_required',
  PolicyNotFound: 'policy_not_found',
  Forbidden: 'forbidden',
  SiteNotFound: 'site_not_found',
  AssetNotFound: 'asset_not_found',
  InvalidQuery: 'invalid_query',
  ReleaseExists: 'release_exists',
  ReleaseNotFound: 'release_not_found',
  ReleaseFilesMissing: 'release_files_missing',
  /** A site of the plan still has another release in flight: one release per site at a time. */
  ReleaseInFlight: 'release_in_flight',
  /** No valid bearer token (HTTP APIs with API_TOKENS configured). */
  Unauthenticated: 'unauthenticated',
  /** Too many failed sign-ins or bad tokens from one client: wait for Retry-After. */
  TooManyAttempts: 'too_many_attempts',
  Internal: 'internal_error',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

/** Body of every 4xx/5xx HTTP response. */
export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  details?: Record<string, unknown>;
}
