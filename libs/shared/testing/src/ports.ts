import { createServer } from 'node:net';

// The OS may hand the port it just gave back again at once: a harness asking for three ports in a
// row (client, MQTT, monitoring) then got the same one twice and nats-server failed to bind.
const handedOut = new Set<number>();
const REMEMBERED = 1024;

function askOs(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A TCP port that was free a moment ago (the OS picks it) and that this process has not handed out
 * recently; good enough for tests on one box.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await askOs();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (handedOut.size > REMEMBERED) handedOut.delete(handedOut.values().next().value as number);
    return port;
  }
  throw new Error('no free TCP port that was not handed out recently');
}
