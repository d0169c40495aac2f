import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuditRecord } from '@millwright/console-contracts';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console.options';

/**
 * Who did what in the console, one JSON line per action, appended synchronously before the
 * response goes out: an action that was answered is on record. Denied attempts are recorded too.
 * Order transitions are also in the maintenance service's own audit trail, with the same user.
 */
@Injectable()
export class AuditLog {
  private readonly log = new Logger('Audit');

  constructor(@Inject(CONSOLE_OPTIONS) private readonly o: Pick<ConsoleOptions, 'auditPath'>) {
    mkdirSync(dirname(o.auditPath), { recursive: true });
  }

  record(r: Omit<AuditRecord, 'at'>): AuditRecord {
    const full: AuditRecord = { at: Date.now(), ...r };
    appendFileSync(this.o.auditPath, JSON.stringify(full) + '\n');
    this.log.log(`${full.user} ${full.action} ${full.target}: ${full.outcome}`);
    return full;
  }

  /** The newest records, newest first; reads only the file's tail. */
  recent(limit: number): AuditRecord[] {
    if (!existsSync(this.o.auditPath)) return [];
    const fd = openSync(this.o.auditPath, 'r');
    try {
      const size = fstatSync(fd).size;
      const len = Math.min(size, limit * 1024);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const lines = buf.toString('utf8').split('\n').filter(Boolean);
      if (len < size) lines.shift(); // cut mid-line
      return lines.slice(-limit).reverse().map((l) => JSON.parse(l) as AuditRecord);
    } finally {
      closeSync(fd);
    }
  }
}
