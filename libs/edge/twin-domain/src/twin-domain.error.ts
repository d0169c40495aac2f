import type { ApiErrorCode } from '@millwright/contracts';

/** A rule of the twin model was broken; `code` is what crosses the process boundary. */
export class TwinDomainError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TwinDomainError';
  }
}
