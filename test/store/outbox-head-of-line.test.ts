// No head-of-line blocking: while one sale's reply drips in slowly (never idle, never done), the
// drain keeps sending the other sales, including ones settled during the stall; the stuck one is
// cut off at the whole-request deadline as an unknown outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement } from '../../core/store/outbox.ts';
import type { DB } from '../../core/store/db.ts';

const SLOW = 'SLOW0000000000000001';

/** Forwards to the simulator; the reply to any message about SLOW is dripped a byte every 200 ms. */
async function slowDripProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const upstream = await fetch(new URL(req.url ?? '/', target), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const text = await upstream.text();
      if (!body.includes(SLOW) || body.includes('"infno":"9001"')) return void res.end(text);
      res.writeHead(200, { 'content-type': 'application/json' });
      let i = 0;
      const t = setInterval(() => {
        if (res.destroyed || i >= text.length) {
          clearInterval(t);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(text[i++]);
      }, 200);
      res.on('close', () => clearInterval(t));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

async function until(what: string, fn: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!fn()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

test('a slow-drip reply for one sale holds back none of the others; a sale settled during the stall is sent too', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const proxy = await slowDripProxy(sim.url);
  const DEADLINE = 4000;
  const up = new Uploader(db, { endpoint: proxy.url, timeoutMs: DEADLINE, deadlineMs: DEADLINE, random: () => 0.5, concurrency: 4, batchSize: 4 });
  const st = (d: DB, id: string) => getOutboxBySettlement(d, id)!.status;
  try {
    const stuck = settleSale(db, { psnNo: SLOW });
    const others = Array.from({ length: 6 }, (_, i) => settleSale(db, { psnNo: `P00000000000000000${10 + i}` }));
    const t0 = Date.now();
    const drain = up.drainOnce();
    const othersDone = await until('the other sales acked', () => others.every((o) => st(db, o.id) === 'acked'), DEADLINE);
    assert.equal(st(db, stuck.id), 'sending', 'the slow one is still on the wire');
    assert.ok(othersDone < DEADLINE / 2, `others acked after ${othersDone} ms, well before the stuck reply's deadline`);
    const late = settleSale(db, { psnNo: 'P0000000000000000099' });
    await until('a sale settled during the stall acked', () => st(db, late.id) === 'acked', DEADLINE);
    assert.equal(st(db, stuck.id), 'sending');
    const r = await drain;
    assert.ok(Date.now() - t0 >= DEADLINE - 100, 'the drain ended only when the stuck reply hit its deadline');
    assert.equal(st(db, stuck.id), 'ambiguous');
    assert.equal(r.acked, 7);
    assert.equal(r.ambiguous, 1);
  } finally {
    up.close();
    await proxy.close();
    await sim.close();
  }
});
