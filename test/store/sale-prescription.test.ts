// The prescription is part of the sale (seed 001 §四: 凭定点医疗机构开具的处方（含电子处方）到定点药店购药):
// a pharmacy is paid at the prescriber's level wherever the policy depends on it (seed 001
// §三.(一).1: 集中带量采购药品限二级及以下医疗机构 100%, 二类管理三级医疗机构 40%); without the
// prescription's level the sale is refused naming the field; unknown fields are refused; the
// prescription is stored with the journal record and read back through the one read model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { setInstitution } from '../../core/store/settings.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { readSettlement } from '../../core/sale/index.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const CQ = FIXTURE_REGIONS.chongqing;

function chongqingPharmacy(): { db: DB; s: CounterService } {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-rx-')));
  seedFixture(db, 'chongqing');
  setInstitution(db, { code: 'P50010100001', name: '万州区百姓大药房', type: 'pharmacy', level: 1 });
  return { db, s: new CounterService({ db, now: () => NOW }) };
}

const rx = (level: 1 | 2 | 3) => ({
  institution: { code: 'H50010100003', name: '重庆大学附属三峡医院', type: 'hospital' as const, level },
  doctor: { name: '陈医生', code: 'D500101000123' },
  date: '2026-03-09',
  diagnosis: '原发性高血压',
  number: 'RX20260309001',
  source: 'external' as const,
});

// Amlodipine, a VBP drug of the fixture (6.30 a box).
const vbpLine = [{ code: drugBarcode(1), quantity: '1' }];

test('seed 001 §三.(一).1 / §四: a Chongqing pharmacy pays a VBP drug at the prescriber\'s level: 40% on a level-3 prescription, 100% on level 1 or 2', async () => {
  const { s } = chongqingPharmacy();
  const three = await s.call('quote', { patient: CQ.eligible, lines: vbpLine, prescription: rx(3) });
  assert.equal(three.lines[0]!.rate, '0.4');
  assert.equal(three.fund, '2.52');
  for (const level of [1, 2] as const) {
    const q = await s.call('quote', { patient: CQ.eligible, lines: vbpLine, prescription: rx(level) });
    assert.equal(q.lines[0]!.rate, '1', `level ${level}`);
    assert.equal(q.fund, '6.30', `level ${level}`);
  }
});

test('seed 001 §四 (凭定点医疗机构开具的处方): a pharmacy sale without the prescription is refused naming prescription.institution.level, in Chinese and English', async () => {
  const { db, s } = chongqingPharmacy();
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  for (const call of [() => s.call('quote', { patient: CQ.eligible, lines: vbpLine }), () => s.call('settle', { session, requestId: crypto.randomUUID(), patient: CQ.eligible, lines: vbpLine })]) {
    await assert.rejects(call(), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.code, 'PRESCRIPTION_REQUIRED');
      assert.ok(e.problems.some((p) => p.path === 'prescription.institution.level'));
      assert.match(e.message, /prescriber's level/);
      assert.match(e.messageZh, /处方/);
      return true;
    });
  }
  assert.equal((db.prepare('SELECT count(*) AS n FROM settlement').get() as { n: number }).n, 0, 'nothing written');
});

test('the prescription is stored with the settlement and read back checked; a clinic needs none', async () => {
  const { db, s } = chongqingPharmacy();
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  const view = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: CQ.eligible, lines: vbpLine, prescription: rx(3) });
  assert.equal(view.fund, '2.52');
  const m = readSettlement(db, view.id)!;
  assert.deepEqual(m.prescription, rx(3));
  assert.equal(m.request!.institution.level, 3, 'the engine was asked at the prescriber\'s level');
  assert.equal(m.record.institution.level, 1, 'the journal keeps the pharmacy as the seller');
  // A clinic prescribes for itself: no prescription needed where it is the seller.
  setInstitution(db, { code: CQ.institution.code, name: CQ.institution.name, type: 'clinic', level: 1 });
  const clinic = await s.call('quote', { patient: CQ.eligible, lines: vbpLine });
  assert.equal(clinic.fund, '6.30');
});

test('unknown fields in a sale body are refused (never silently dropped), at the top, in a line and in the prescription', async () => {
  const { s } = chongqingPharmacy();
  const bodies: [unknown, string][] = [
    [{ patient: CQ.eligible, lines: vbpLine, prescription: rx(1), payment: 'cash' }, 'payment'],
    [{ patient: CQ.eligible, lines: [{ ...vbpLine[0], treats: 'hypertension' }], prescription: rx(1) }, 'lines.0'],
    [{ patient: CQ.eligible, lines: vbpLine, prescription: { ...rx(1), hospitalLevel: 3 } }, 'prescription'],
    [{ patient: CQ.eligible, lines: vbpLine, prescription: { ...rx(1), institution: { ...rx(1).institution, grade: '三甲' } } }, 'prescription.institution'],
  ];
  for (const [body, path] of bodies) {
    await assert.rejects(s.call('quote', body), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path.startsWith(path)), JSON.stringify(body));
  }
  // A prescription missing a required part names it.
  const { doctor: _d, ...noDoctor } = rx(1);
  await assert.rejects(s.call('quote', { patient: CQ.eligible, lines: vbpLine, prescription: noDoctor }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path === 'prescription.doctor'));
});

test('the CLI settle takes the same strict body: the prescriber\'s level prices a pharmacy sale, an unknown field is refused, a prescription needs a registered operator', async () => {
  const { settleCommand } = await import('../../core/cli/commands/settlement.ts');
  const { db } = chongqingPharmacy();
  const dir = db.name.replace(/\/counter\.sqlite$/, '');
  db.close();
  const run = async (body: unknown) => {
    let out = '';
    try {
      const code = await settleCommand.run(['--data', dir], { stdout: (t) => (out += t), stderr: () => {}, readStdin: async () => JSON.stringify(body), isTTY: false, now: () => NOW });
      return { code, out: JSON.parse(out) as Record<string, unknown>, error: null };
    } catch (e) {
      return { code: null, out: null, error: e as InputError };
    }
  };
  const operator = { id: 'yaoshi', name: '王药师' };
  const ok = await run({ patient: CQ.eligible, date: '2026-03-10', lines: vbpLine, prescription: rx(3), operator });
  assert.equal(ok.code, 0, String(ok.error));
  assert.equal(ok.out!.fund, '2.52');
  const extra = await run({ patient: CQ.eligible, date: '2026-03-10', lines: vbpLine, prescription: rx(3), operator, payment: 'cash' });
  assert.ok(extra.error instanceof InputError && extra.error.problems.some((p) => p.path === 'payment'));
  const stranger = await run({ patient: CQ.eligible, date: '2026-03-10', lines: vbpLine, prescription: rx(1), operator: { id: 'nobody', name: '某人' } });
  assert.ok(stranger.error instanceof InputError && stranger.error.code === 'OPERATOR_NOT_REGISTERED');
  const missing = await run({ patient: CQ.eligible, date: '2026-03-10', lines: vbpLine, operator });
  assert.ok(missing.error instanceof InputError && missing.error.code === 'PRESCRIPTION_REQUIRED');
});

test('reproduction 2 (seed 001 §三.(一).1: 集中带量采购药品限二级及以下医疗机构 100%，二类管理三级医疗机构 40%; §四 凭定点医疗机构开具的处方到定点药店购药): the Chongqing demo pharmacy, class-2 patient 500101DM0125, a VBP sale of 10.58', async () => {
  const { seedDemoData } = await import('../../core/demo/seed.ts');
  const { seedOperators } = await import('../../core/app/fixture.ts');
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-rx-demo-')));
  seedDemoData(db, { region: 'chongqing' });
  seedOperators(db);
  setInstitution(db, { code: 'P50010100001', name: '万州区百姓大药房', type: 'pharmacy', level: 1 });
  const s = new CounterService({ db, now: () => new Date('2025-07-01T02:00:00Z') });
  const lines = [{ code: 'YP0001', quantity: '2' }]; // metformin, VBP, 5.29 a box
  const three = await s.call('quote', { patient: '500101DM0125', lines, prescription: { ...rx(3), diagnosis: '2型糖尿病' } });
  assert.equal(three.total, '10.58');
  assert.deepEqual([three.lines[0]!.rate, three.fund, three.patientPays], ['0.4', '4.23', '6.35'], 'the prescriber is level 3: 40%, not the pharmacy\'s own 100%');
  for (const level of [1, 2] as const) {
    const q = await s.call('quote', { patient: '500101DM0125', lines, prescription: { ...rx(level), diagnosis: '2型糖尿病' } });
    assert.deepEqual([q.lines[0]!.rate, q.fund], ['1', '10.58'], `a level-${level} prescription: VBP 100%`);
  }
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  const settled = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: '500101DM0125', lines, prescription: { ...rx(3), diagnosis: '2型糖尿病' } });
  assert.equal(settled.fund, '4.23', 'settled as quoted');
  db.close();
});
