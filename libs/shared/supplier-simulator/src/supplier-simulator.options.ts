import type { FaultSettings } from './fault.injector';

export interface SupplierSimulatorOptions {
  /** Faults in force from the start; `POST /api/v1/_faults` changes them at run time. */
  faults?: Partial<FaultSettings>;
  /** Seed of the fault generator. */
  seed?: number;
  /** JSON file that keeps accepted orders across restarts (none: memory only). */
  stateFile?: string;
  /** Promised time from acceptance to shipping; default 3 days. */
  leadTimeMs?: number;
  /** Longest a "timed out" request is held open when the client never gives up; default 5 minutes. */
  maxHoldMs?: number;
  now?: () => number;
}
