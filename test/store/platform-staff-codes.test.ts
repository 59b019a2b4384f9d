// The staff mapping: `cli staff` (and the admin method) give an operator a national
// doctor/pharmacist code and department; 2201 atddr_no and 2204 bilg_dr_codg/bilg_dept_codg carry
// them through the strict simulator instead of the local operator id; where the province requires
// national codes, a sale by an operator with none is not sent and the task names the operator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.ts';
import { readFileSync } from 'node:fs';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement } from '../../core/store/outbox.ts';
import { openDatabase } from '../../core/store/db.ts';
import { getStaffCode, saveStaffCode } from '../../core/store/staff.ts';
import { BUNDLED_PLATFORM_CONFIG, parsePlatformConfig } from '../../core/platform/config.ts';
import { CounterService } from '../../core/service/index.ts';

function requiringConfig() {
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.regions.lincang.requireStaffCodes = true;
  return parsePlatformConfig(raw, 'site');
}

test('cli staff sets the national code; the clinic messages through the strict simulator carry it, not the operator id', async () => {
  const data = tempDir();
  const bad = await cli(['staff', '--data', data, '--operator', 'op01', '--code', 'D5309 01', '--dept-code', 'A03', '--dept-name', '全科']);
  assert.equal(bad.status, 2, 'a code with a space is refused');
  assert.match(bad.stderr, /code/);
  const set = await cli(['staff', '--data', data, '--operator', 'op01', '--code', 'D530902000123', '--name', '李医师', '--dept-code', 'A04', '--dept-name', '内科', '--caty', 'A04']);
  assert.equal(set.status, 0, set.stderr);
  assert.equal(JSON.parse(set.stdout).staff.drCode, 'D530902000123');
  const db = openDatabase(data);
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000, config: requiringConfig() });
  try {
    const sale = settleSale(db, { type: 'clinic' });
    await up.drainOnce();
    assert.equal(getOutboxBySettlement(db, sale.id)!.status, 'acked');
    const sent = sim.db.prepare(`SELECT infno, request_json FROM sim_message WHERE infno IN ('2201', '2203', '2204')`).all() as { infno: string; request_json: string }[];
    assert.equal(sent.length, 3);
    for (const m of sent) {
      const input = JSON.parse(m.request_json).input;
      if (m.infno === '2201') assert.deepEqual([input.data.atddr_no, input.data.dr_name, input.data.dept_code, input.data.dept_name, input.data.caty], ['D530902000123', '李医师', 'A04', '内科', 'A04']);
      if (m.infno === '2203') assert.equal(input.diseinfo[0].dise_dor_no, 'D530902000123');
      if (m.infno === '2204') for (const l of input.feedetail) assert.deepEqual([l.bilg_dr_codg, l.bilg_dept_codg, l.bilg_dept_name], ['D530902000123', 'A04', '内科']);
    }
  } finally {
    up.close();
    await sim.close();
    db.close();
  }
});

test('a province requiring national codes: a sale by an operator without one is not sent; the task names the operator', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000, config: requiringConfig() });
  try {
    const sale = settleSale(db, { type: 'clinic' });
    await up.drainOnce();
    const row = getOutboxBySettlement(db, sale.id)!;
    assert.equal(row.status, 'dead');
    assert.match(row.last_error ?? '', /operator op01 \(李药师\) has no national doctor\/pharmacist code/);
    assert.equal((sim.db.prepare(`SELECT count(*) AS n FROM sim_message WHERE infno = '2201'`).get() as { n: number }).n, 0, 'nothing with a local id went out');
    // Once the operator is mapped, their next sale goes through.
    saveStaffCode(db, { operatorId: 'op01', code: 'D1', deptCode: 'A03', deptName: '全科' }, new Date());
    const again = settleSale(db, { type: 'clinic', psnNo: '53090000000000000002' });
    await up.drainOnce();
    assert.equal(getOutboxBySettlement(db, again.id)!.status, 'acked', 'once mapped, the operator\'s sales go');
  } finally {
    up.close();
    await sim.close();
  }
});

test('setStaffCode is an administrator method of the service', async () => {
  const { db } = openTemp();
  const svc = new CounterService({ db });
  await svc.call('createOperator', { id: 'admin1', name: '管理员', role: 'admin', pin: '123456' });
  await assert.rejects(svc.call('setStaffCode', { operatorId: 'op01', code: 'D1', deptCode: 'A03', deptName: '全科' }), /session|admin/i);
  const { session } = await svc.call('signIn', { operatorId: 'admin1', pin: '123456' });
  const out = await svc.call('setStaffCode', { session, operatorId: 'op01', code: 'D530902000123', deptCode: 'A03', deptName: '全科' });
  assert.equal(out.code, 'D530902000123');
  assert.equal(getStaffCode(db, 'op01')!.drCode, 'D530902000123');
});
