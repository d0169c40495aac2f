/** What `offerPaced` sent, and over how long (from its start to the last tick). */
export interface PacedLoad {
  sent: number;
  seconds: number;
}

/**
 * Offers a fixed load by the clock: every 10 ms, `send` is called for each message now due since
 * `start` (a late timer is made up at the next tick, not lost), until `seconds` have passed. A
 * message carries `step` units (readings) and is stamped with the tick's time; `eachTick` runs once
 * per tick (e.g. to fail fast when a service under test has exited).
 */
export async function offerPaced(o: { start: number; seconds: number; rate: number; step: number; send: (now: number) => void; eachTick?: () => void }): Promise<PacedLoad> {
  const end = o.start + o.seconds * 1000;
  let sent = 0;
  for (let now = o.start; now < end; now = Date.now()) {
    const due = Math.floor(((now - o.start) * o.rate) / 1000) + o.step;
    while (sent + o.step <= due) {
      o.send(now);
      sent += o.step;
    }
    o.eachTick?.();
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(10, end - Date.now()))));
  }
  return { sent, seconds: (Date.now() - o.start) / 1000 };
}
