// The CLI's platform commands: `terminal` gives this counter its msgid digit and dev_no (two
// counters of one institution never collide), `upload` then sends under them after a 9001, and
// `sign-out` ends the day's session with 9002.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { saleInput, tempDir } from '../helpers/settlement.ts';

test('cli terminal sets the msgid digit and dev_no; upload signs in (9001) and sends under them; sign-out sends 9002', async () => {
  const data = tempDir();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  try {
    const bad = await cli(['terminal', '--data', data, '--no', '12', '--dev-no', 'X']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /BAD_TERMINAL_NO/);
    const set = await cli(['terminal', '--data', data, '--no', '7', '--dev-no', 'COUNTER-7']);
    assert.equal(set.status, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout).terminal, { terminalNo: 7, devNo: 'COUNTER-7' });
    const { result: _r, ...sale } = saleInput();
    assert.equal((await cli(['settle', '--data', data], JSON.stringify(sale))).status, 0);
    const up = await cli(['upload', '--data', data, '--endpoint', sim.url, '--once']);
    assert.equal(up.status, 0, up.stderr);
    assert.equal(JSON.parse(up.stdout).counts.acked, 1);
    const msgs = sim.db.prepare('SELECT infno, msgid, request_json FROM sim_message ORDER BY rowid').all() as { infno: string; msgid: string; request_json: string }[];
    assert.deepEqual(msgs.map((m) => m.infno), ['9001', '2102']);
    for (const m of msgs) {
      assert.equal(m.msgid[26], '7');
      assert.equal(JSON.parse(m.request_json).dev_no, 'COUNTER-7');
    }
    const out = await cli(['sign-out', '--data', data, '--endpoint', sim.url]);
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), { closed: 1, open: 0 });
    assert.equal((sim.db.prepare(`SELECT count(*) AS n FROM sim_message WHERE infno = '9002'`).get() as { n: number }).n, 1);
  } finally {
    await sim.close();
  }
});
