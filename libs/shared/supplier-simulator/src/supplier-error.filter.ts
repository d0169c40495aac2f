import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { SupplierErrorCode, type SupplierErrorBody } from '@millwright/supplier-contracts';

/** Errors leave in the supplier contract's `{code, message}` shape, including the framework's own. */
@Catch()
export class SupplierErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('SupplierSimulator');

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    let status = 500;
    let body: SupplierErrorBody = { code: SupplierErrorCode.Unavailable, message: 'internal error' };
    if (e instanceof HttpException) {
      status = e.getStatus();
      const r = e.getResponse();
      if (typeof r === 'object' && r !== null && typeof (r as SupplierErrorBody).code === 'string') body = r as SupplierErrorBody;
      else if (status === 404) body = { code: SupplierErrorCode.OrderNotFound, message: e.message };
      // Body-parser failures (not JSON, too large) arrive here as 4xx: the body broke the contract.
      else if (status < 500) body = { code: SupplierErrorCode.ValidationFailed, message: e.message };
    } else {
      this.log.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
    res.status(status).json(body);
  }
}
