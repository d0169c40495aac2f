import { HttpException } from '@nestjs/common';
import type { ApiErrorBody, ApiErrorCode } from '@millwright/contracts';

/** An HTTP error whose body is the contract's `{code, message}`. */
export function apiError(status: number, code: ApiErrorCode, message: string, details?: Record<string, unknown>): HttpException {
  const body: ApiErrorBody = details ? { code, message, details } : { code, message };
  return new HttpException(body, status);
}
