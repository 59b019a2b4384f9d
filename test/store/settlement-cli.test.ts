// The settlement commands end to end: settle → journal → close-day refused → upload → reverse →
// upload → journal verify → close-day balanced; and the simulator command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.ts';
import { spawn } from 'node:child_process';
import { saleInput, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { openDatabase } from '../../core/store/db.ts';
import { seedFixture, FIXTURE_REGIONS, drugCode } from '../../core/app/fixture.ts';

/** A data directory holding the Lincang fixture (institution, roster, catalog). */
function lincangDataDir(): string {
  const data = tempDir();
  const db = openDatabase(data);
  seedFixture(db, 'lincang');
  db.close();
  return data;
}

test('cli settle, journal, close-day (refused, then balanced), upload, reverse --lines, journal verify', async () => {
  const data = tempDir();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  try {
    const { result: _ignored, ...sale } = saleInput();
    const settled = await cli(['settle', '--data', data], JSON.stringify(sale));
    assert.equal(settled.status, 0, settled.stderr);
    const rec = JSON.parse(settled.stdout) as { receiptNo: string; fund: string; outbox: { status: string } };
    assert.equal(rec.receiptNo, 'S2024080100001');
    assert.equal(rec.fund, saleInput().result.fund, 'the split is computed by the engine, not taken from the input');
    assert.equal(rec.outbox.status, 'pending');

    const refused = await cli(['close-day', '--data', data, '--date', '2024-08-01', '--endpoint', sim.url]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /DAY_NOT_UPLOADED/);

    const up = await cli(['upload', '--data', data, '--endpoint', sim.url, '--once']);
    assert.equal(up.status, 0, up.stderr);
    assert.equal(JSON.parse(up.stdout).counts.acked, 1);

    const ret = await cli(['reverse', rec.receiptNo, '--data', data, '--lines', 'b', '--reason', '退一盒']);
    assert.equal(ret.status, 0, ret.stderr);
    assert.equal(JSON.parse(ret.stdout).kind, 'return');
    assert.equal(JSON.parse((await cli(['upload', '--data', data, '--endpoint', sim.url])).stdout).counts.acked, 2);

    const journal = await cli(['journal', '--data', data]);
    assert.match(journal.stdout, /S2024080100001\s+sale/);
    assert.match(journal.stdout, /T2024080100001\s+return/);
    const verify = await cli(['journal', 'verify', '--data', data]);
    assert.equal(verify.status, 0, verify.stderr + verify.stdout);
    assert.equal(JSON.parse(verify.stdout).records, 2);

    const closed = await cli(['close-day', '--data', data, '--date', '2024-08-01', '--endpoint', sim.url]);
    assert.equal(closed.status, 0, closed.stderr);
    assert.equal(JSON.parse(closed.stdout).balanced, true);
  } finally {
    await sim.close();
  }
});

test('cli reverse --lines LINE:QTY returns part of a line; more than is left is refused by name', async () => {
  const data = tempDir();
  const { result: _ignored, ...sale } = saleInput();
  const settled = await cli(['settle', '--data', data], JSON.stringify(sale));
  assert.equal(settled.status, 0, settled.stderr);
  const rec = JSON.parse(settled.stdout) as { receiptNo: string };
  const part = await cli(['reverse', rec.receiptNo, '--data', data, '--lines', 'a:10', '--reason', '退10片']);
  assert.equal(part.status, 0, part.stderr);
  const ret = JSON.parse(part.stdout) as { kind: string; lines: { quantity: string; total: string }[] };
  assert.equal(ret.kind, 'return');
  assert.deepEqual(ret.lines.map((l) => [l.quantity, l.total]), [['-10', '-1.50']]);
  const over = await cli(['reverse', rec.receiptNo, '--data', data, '--lines', 'a:20', '--reason', '再退']);
  assert.equal(over.status, 2);
  assert.match(over.stderr, /RETURN_EXCEEDS_LEFT/);
  assert.match(over.stderr, /18/, 'says how much is left');
});

test('cli simulator serves the probe and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'simulator', '--port', '0', '--data', tempDir('lbc-sim-'), '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()).url)));
  const probe = (await (await fetch(url)).json()) as { ok: boolean };
  assert.equal(probe.ok, true);
  const faults = await fetch(new URL('/admin/faults', url), { method: 'POST', body: JSON.stringify({ refusePsnNo: ['X'] }) });
  assert.deepEqual(((await faults.json()) as { refusePsnNo: string[] }).refusePsnNo, ['X']);
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0);
});

test('cli settle by patient input and catalog codes uses the local roster, catalog and institution settings', async () => {
  const data = lincangDataDir();
  const sale = { patient: FIXTURE_REGIONS.lincang.eligible, date: '2024-08-01', lines: [{ code: drugCode(1), quantity: '2' }, { code: drugCode(3), quantity: 1 }], operator: { id: 'op01', name: '李药师' } };
  const r = await cli(['settle', '--data', data], JSON.stringify(sale));
  assert.equal(r.status, 0, r.stderr);
  const rec = JSON.parse(r.stdout) as { kind: string; institution: { code: string }; lines: { code: string }[]; patient: { certnoMasked: string }; fund: string };
  assert.equal(rec.kind, 'sale');
  assert.equal(rec.institution.code, FIXTURE_REGIONS.lincang.institution.code);
  assert.deepEqual(rec.lines.map((l) => l.code), [drugCode(1), drugCode(3)]);
  assert.doesNotMatch(r.stdout, new RegExp(FIXTURE_REGIONS.lincang.eligible), 'the ID number is masked in the output');
  const bad = await cli(['settle', '--data', data], JSON.stringify({ ...sale, lines: [{ code: 'NO-SUCH-DRUG', quantity: '1' }] }));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /"path": "lines.0.code"/);
  const elsewhere = await cli(['settle', '--data', data], JSON.stringify({ ...sale, institution: 'P00000000000' }));
  assert.equal(elsewhere.status, 2);
  assert.match(elsewhere.stderr, /WRONG_INSTITUTION/);
});

test('cli settle refuses what the counter screen refuses: an ineligible patient, a refill blocked by supervision', async () => {
  const data = lincangDataDir();
  const base = { date: '2024-08-01', operator: { id: 'op01', name: '李药师' } };
  // seed 000 §二.(二).3: residents only; the employee of the fixture is refused, nothing is written.
  const ineligible = await cli(['settle', '--data', data], JSON.stringify({ ...base, patient: FIXTURE_REGIONS.lincang.ineligible, lines: [{ code: drugCode(1), quantity: '1' }] }));
  assert.equal(ineligible.status, 2);
  assert.match(ineligible.stderr, /NOT_ELIGIBLE/);
  // seed 003 附件3 注意2 (the refill rule applied everywhere): 30 days dispensed today, a refill today is too early.
  const sale = { ...base, patient: FIXTURE_REGIONS.lincang.eligible, lines: [{ code: drugCode(1), quantity: '1', days: 30 }] };
  const first = await cli(['settle', '--data', data], JSON.stringify(sale));
  assert.equal(first.status, 0, first.stderr);
  const refill = await cli(['settle', '--data', data], JSON.stringify(sale));
  assert.equal(refill.status, 2, refill.stdout);
  assert.match(refill.stderr, /SUPPLY_BLOCKED/);
  const journal = await cli(['journal', '--data', data, '--json']);
  assert.equal((JSON.parse(journal.stdout) as { items: unknown[] }).items.length, 1, 'only the first sale is in the journal');
});
