import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, waitFor } from '@millwright/testing';
import { ProcessMemorySampler } from '../common/process-memory.sampler';
import { BENCH_SITE, BenchFleet, type MessageKind } from './bench-fleet.factory';
import { CommitTracker } from './commit.tracker';
import { failOnExit, saveLog, startNodeScript, troubleLines, withTimeout, type DrainResult, type IngestBenchContext } from './ingest-bench.context';
import { deleteTelemetryStream, publishAll } from './telemetry-stream.admin';

/**
 * Times the naive NestJS baseline. Nest's NATS transport subscribes with core NATS, so nothing can
 * be pre-loaded: the clock starts at the first publish. Publishing takes a small fraction of the
 * time the baseline needs to save, so the number is its ingest rate all the same.
 */
export async function runNaive(ctx: IngestBenchContext, kind: MessageKind, readings: number): Promise<DrainResult> {
  const { jsm, nc, opts } = ctx;
  // Without a stream nothing stores the telemetry: the baseline pays for no JetStream work it does not do.
  await deleteTelemetryStream(jsm);
  const dataDir = mkdtempSync(join(ctx.workDir, 'naive-'));
  const naive = startNodeScript(join(repoRoot(), 'dist/bench/naive-ingest/main.js'), {
    NATS_URL: ctx.natsUrl,
    NAIVE_DB_PATH: join(dataDir, 'naive.db'),
    SQLITE_SYNCHRONOUS: opts.synchronous,
  });
  const memory = naive.child.pid ? new ProcessMemorySampler(naive.child.pid) : undefined;
  const tracker = new CommitTracker(nc, BENCH_SITE);
  try {
    await Promise.race([
      waitFor(() => naive.output().includes('[naive-ingest] ready'), { timeoutMs: 60_000, what: 'the naive baseline to subscribe' }),
      failOnExit(naive, 'the naive baseline'),
    ]);
    await tracker.ready();
    const fleet = new BenchFleet(opts.assets);
    const messages = kind === 'single' ? readings : readings / opts.batchSize;
    const start = Date.now();
    await publishAll(nc, messages, () => fleet.nextMessage(kind, opts.batchSize, Date.now()));
    const finals = fleet.finalSeqs();
    // One event per saved reading: counting them catches readings still in flight for an asset whose newest one is saved.
    const done = await Promise.race([withTimeout(tracker.whenCommitted(finals, readings), opts.drainTimeoutMs), failOnExit(naive, 'the naive baseline')]);
    const peak = memory?.stop() ?? null;
    const stalled = done === 'timeout';
    const end = stalled ? Date.now() : done;
    const committed = stalled ? Math.min(tracker.events, readings) : readings;
    if (stalled) ctx.problems.push(`naive (${kind}) committed ${committed}/${readings} readings in ${opts.drainTimeoutMs} ms`);
    const seconds = (end - start) / 1000;
    return { variant: 'naive', kind, method: 'live', readings, messages, seconds, rps: committed / seconds, committed, stalled, peak_rss_mb: peak };
  } finally {
    tracker.close();
    memory?.stop();
    await naive.stop();
    saveLog(`naive-${kind}`, naive.output());
    for (const line of troubleLines(naive.output())) ctx.problems.push(`naive (${kind}) output: ${line}`);
  }
}
