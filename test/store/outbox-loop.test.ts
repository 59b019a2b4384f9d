// The background uploader: start() drains as settlements arrive (poke), probes an unreachable
// endpoint until it answers instead of trusting an "online" flag, and stop() waits for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement } from '../../core/store/outbox.ts';
import type { DB } from '../../core/store/db.ts';

async function until(what: string, fn: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const status = (db: DB, id: string) => getOutboxBySettlement(db, id)!.status;

test('start() uploads what is settled while it runs; stop() returns once the loop has ended', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 1000 });
  try {
    up.start();
    const a = settleSale(db);
    up.poke();
    await until('first sale acked', () => status(db, a.id) === 'acked');
    const b = settleSale(db, { type: 'clinic' });
    up.poke();
    await until('clinic sale acked', () => status(db, b.id) === 'acked');
    await up.stop();
    const c = settleSale(db);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(status(db, c.id), 'pending', 'a stopped uploader sends nothing');
  } finally {
    up.close();
    await sim.close();
  }
});

test('while the platform is down the uploader probes the real endpoint; when it comes up the queue drains', async () => {
  const { db } = openTemp();
  const simDir = tempDir('lbc-sim-');
  const probeSim = await startSimulator({ dataDir: simDir });
  const port = probeSim.port;
  await probeSim.close(); // the port is now closed: connection refused
  const up = new Uploader(db, { endpoint: `http://127.0.0.1:${port}/`, timeoutMs: 500, backoffBaseMs: 20, backoffCapMs: 80 });
  const probes: boolean[] = [];
  const probe = up.probe.bind(up);
  up.probe = async () => {
    const r = await probe();
    probes.push(r);
    return r;
  };
  const sale = settleSale(db);
  up.start();
  try {
    await until('a failed probe', () => probes.includes(false));
    assert.equal(status(db, sale.id), 'pending');
    assert.equal(getOutboxBySettlement(db, sale.id)!.maybe_delivered, 0);
    const sim = await startSimulator({ dataDir: simDir, port });
    try {
      await until('the sale acked after the platform came back', () => status(db, sale.id) === 'acked');
      assert.equal(probes.at(-1), true);
      assert.equal(up.reachable, true);
    } finally {
      await up.stop();
      await sim.close();
    }
  } finally {
    up.close();
  }
});
