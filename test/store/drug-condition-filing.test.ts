// At the counter (demo data, Lincang): metformin for a hypertension-only patient is not covered,
// with the reason in Chinese (seed 000 §二.(二).3, 附件2 lists per disease); filing the new
// condition through the service (新增病种, seed 003 §二.(三).1; at a public level-1 institution,
// seed 000 §二.(一).2) makes the same line covered at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { seedDemoData } from '../../core/demo/seed.ts';
import { seedOperators } from '../../core/app/fixture.ts';
import { CounterService } from '../../core/service/index.ts';
import { setSetting } from '../../core/store/settings.ts';
import { InputError } from '../../core/contract/problems.ts';

const PATIENT = '530902DM0101'; // 张桂英, hypertension only
const METFORMIN = 'YP0001'; // 二甲双胍, VBP
const AMLODIPINE_GROUP_DRUG = 'YP0038'; // 依那普利, VBP antihypertensive

function counter() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-drug-cond-')));
  seedDemoData(db, { region: 'lincang' });
  seedOperators(db);
  return { db, s: new CounterService({ db, now: () => new Date('2025-07-01T02:00:00Z') }) };
}

test('reproduction 4, seed 000 §二.(二).3 / seed 003 §二.(三).1: an antidiabetic for a hypertension-only patient is not covered; 新增病种 through the service covers it', async () => {
  const { db, s } = counter();
  const lines = [{ code: METFORMIN, quantity: '1' }, { code: AMLODIPINE_GROUP_DRUG, quantity: '1' }];
  const before = await s.call('quote', { patient: PATIENT, lines });
  const [m, e] = before.lines;
  assert.equal(m!.covered, false);
  assert.equal(m!.fund, '0.00');
  assert.ok(m!.warnings.some((w) => w.code === 'TREATS_UNFILED_DIABETES' && /未备案糖尿病/.test(w.message)));
  assert.equal(e!.covered, true);
  assert.equal(before.fund, e!.fund);

  const sess = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  const request = { kind: 'change', psnNo: PATIENT, date: '2025-07-01', doctor: { name: '王医生', code: null }, reason: 'new-disease', conditions: ['hypertension', 'diabetes'] } as const;
  // Lincang files only at public institutions: until the site says it is public, the refusal says so in words.
  await assert.rejects(s.call('file', { session: sess, request }), (x: unknown) => x instanceof InputError && x.code === 'FILING_NOT_PUBLIC' && /公立/.test(x.messageZh) && !/seed|§/.test(x.messageZh));
  setSetting(db, 'filing.public', 'yes');
  const filed = await s.call('file', { session: sess, request });
  assert.deepEqual([filed.kind, filed.conditions, filed.conditionsZh, filed.uploads], ['change', ['hypertension', 'diabetes'], '高血压、糖尿病', 1]);

  const after = await s.call('quote', { patient: PATIENT, lines });
  assert.equal(after.lines[0]!.covered, true);
  assert.equal(after.lines[0]!.fund, (await s.call('quote', { patient: PATIENT, lines: [{ code: METFORMIN, quantity: '1' }] })).fund);
  assert.ok(Number(after.fund) > Number(before.fund));
  assert.equal(after.patient.cap?.limit, '720.00', 'filed for both: the 720 cap (seed 000 §二.(二).3)');
  await assert.rejects(s.call('file', { session: 'x'.repeat(20), request }), (x: unknown) => (x as { code?: string }).code === 'SESSION_EXPIRED');
});
