import { readFileSync } from 'node:fs';

/**
 * Resident set of a process from /proc, in MiB, or null once it has exited (or off Linux). RssAnon is
 * its private memory (heaps, stacks); RssFile the pages of mapped files (the node binary, native
 * addons), which processes running the same file share in physical memory but each count in VmRSS.
 */
export function readProcMemoryMb(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Proportional set size in MiB (smaps_rollup), or null: like RSS, but each page shared with other
 * processes counts by its share. Summed over a group of processes it counts the node binary's pages
 * once, which RSS summed counts once per process.
 */
export function readProcPssMb(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Tracks the peak RSS of a child process. VmHWM is the kernel's own high-water mark, so a spike
 * between two samples still counts; the periodic VmRSS read is only a fallback for kernels without it
 * and a way to read the peak after the last sample.
 */
export class ProcessMemorySampler {
  private peakMb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const hwm = readProcMemoryMb(this.pid, 'VmHWM') ?? readProcMemoryMb(this.pid, 'VmRSS');
    if (hwm !== null && hwm > this.peakMb) this.peakMb = hwm;
  }

  /** Takes a last sample (call it before stopping the process: /proc forgets it at exit). */
  stop(): number {
    this.sample();
    clearInterval(this.timer);
    return this.peakMb;
  }
}

/** CPU time (user + system) a process has used so far, in seconds, or null once it has exited. */
export function readProcCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}
