import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ApiErrorCode, type ApiErrorBody } from '@millwright/contracts';

const STATUS_CODES: Record<number, ApiErrorCode> = { 404: ApiErrorCode.NotFound, 413: ApiErrorCode.DocumentTooLarge, 415: ApiErrorCode.UnsupportedMediaType };

/**
 * Every error leaves as `{code, message}`: clients switch on `code`. Errors from the framework
 * (unknown route, body parser) get a code too; anything unexpected is a 500 with no internals.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let body: ApiErrorBody = { code: ApiErrorCode.Internal, message: 'internal error' };
    if (e instanceof HttpException) {
      status = e.getStatus();
      const r = e.getResponse();
      if (typeof r === 'object' && r !== null && typeof (r as ApiErrorBody).code === 'string') body = r as ApiErrorBody;
      // The adapter wraps body-parser's errors; a body that is not JSON is a bad patch.
      else if (e.cause instanceof SyntaxError) body = { code: ApiErrorCode.InvalidMergePatch, message: `body is not JSON: ${e.message}` };
      else body = { code: STATUS_CODES[status] ?? ApiErrorCode.ValidationFailed, message: e.message };
    } else {
      this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
    res.status(status).json(body);
  }
}
