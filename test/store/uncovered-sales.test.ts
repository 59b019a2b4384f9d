// Patients and sales the local two-disease rules do not cover, handled at the counter (demo data):
// self-pay recorded and printed as such; an out-of-area patient (seed 001 §四) pays here and gets a
// 垫付 claim receipt; someone not on the roster is offered filing at a public level 1–2
// institution (seed 000 §二.(一).2) or put on the candidates list (seed 000 §二.(一).1), exported
// masked; the stock compliance report (seed 000 §二.(三).6).
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
import { syntheticCertno } from '../../core/import/synthetic.ts';
import { InputError } from '../../core/contract/problems.ts';
import { settlementCount } from '../../core/store/journal.ts';
import { usedThisYear } from '../../core/store/ledger.ts';

function counter(region: 'lincang' | 'chongqing' = 'lincang') {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-uncovered-')));
  seedDemoData(db, { region });
  seedOperators(db);
  const s = new CounterService({ db, now: () => new Date('2025-07-01T02:00:00Z') });
  return { db, s, session: async () => (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session };
}
const codeOf = (e: unknown) => (e as { code?: string }).code;

test('self-pay: recorded and printed as self-pay, nothing from the fund, nothing in the journal or the pool; a retry does not record twice', async () => {
  const { db, s, session } = counter();
  const sess = await session();
  const requestId = crypto.randomUUID();
  const sale = { session: sess, requestId, kind: 'self-pay', patient: '530902DM0101', lines: [{ code: 'YP0001', quantity: '2' }], reason: '治疗未备案病种的药品' } as const;
  const r = await s.call('cashSale', sale);
  assert.match(r.receiptNo, /^Z2025070100001$/);
  assert.equal(r.kindZh, '自费');
  assert.equal(r.total, '10.58', 'two boxes of metformin at the 5.29 retail price');
  assert.ok(r.html.includes('自费结算单') && r.html.includes('医保统筹支付</td><td class="num">0.00 元') && r.html.includes('个人自费'));
  assert.ok(!r.html.includes('张桂英') && r.nameMasked.startsWith('张'), 'the self-pay receipt carries the masked name');
  assert.equal((await s.call('cashSale', sale)).id, r.id, 'the same requestId is the same sale');
  assert.equal((await s.call('cashSale', { ...sale, requestId: crypto.randomUUID() })).receiptNo, 'Z2025070100002');
  assert.equal(settlementCount(db), 0);
  assert.equal(usedThisYear(db, '530902DM0101', '2025-07-01'), '0.00');
  assert.throws(() => db.prepare("UPDATE cash_sales SET total_fen = 0").run(), /never edited/);
  assert.throws(() => db.prepare('DELETE FROM cash_sales').run(), /never deleted/);
  await assert.rejects(s.call('cashSale', { ...sale, requestId: crypto.randomUUID(), lines: [{ code: 'NOPE', quantity: '1' }] }), (e: unknown) => e instanceof InputError && e.problems[0]!.path === 'lines.0.code');
});

test('seed 001 §四 异地: an out-of-area patient pays in full and gets a claim receipt with what the insuring bureau needs', async () => {
  const { s, session } = counter('chongqing');
  const sess = await session();
  const certno = syntheticCertno('510104', '1955-03-03', 7);
  const base = { session: sess, kind: 'out-of-area', lines: [{ code: 'YP0001', quantity: '1' }, { code: 'YP0038', quantity: '2' }] } as const;
  await assert.rejects(s.call('cashSale', { ...base, requestId: crypto.randomUUID(), person: { name: '钱多多' } }), (e: unknown) => e instanceof InputError && ['person.certno', 'person.insuredRegion', 'person.insurance'].every((p) => e.problems.some((x) => x.path === p)));
  await assert.rejects(s.call('cashSale', { ...base, requestId: crypto.randomUUID(), person: { name: '钱多多', certno, insuredRegion: '500102', insurance: 'resident' } }), (e: unknown) => codeOf(e) === 'NOT_OUT_OF_AREA', 'a Chongqing patient is settled under the local rules');
  const r = await s.call('cashSale', { ...base, requestId: crypto.randomUUID(), person: { name: '钱多多', certno, insuredRegion: '510104', insurance: 'resident', conditions: ['hypertension'] } });
  assert.equal(r.kindZh, '异地就医（垫付）');
  assert.match(r.receiptNo, /^Y20250701/);
  assert.equal(r.total, '27.33', '5.29 + 2 × 11.02');
  for (const must of ['异地就医费用垫付凭证', '钱多多', certno, '510104', '城乡居民基本医疗保险', 'XA10BA02DEMO00000000001', '个人垫付', '27.33', '参保地医保经办机构', '《关于做好城乡居民高血压糖尿病门诊用药保障和健康管理的通知》', r.receiptNo]) {
    assert.ok(r.html.includes(must), `the claim receipt carries ${must}`);
  }
  assert.doesNotMatch(r.html, /seed|§/);
});

test('seed 000 §二.(一).2 / §二.(一).1: filing offered at a public level-1 clinic; elsewhere the person goes on the candidates list, exported masked', async () => {
  const { db, s, session } = counter();
  const sess = await session();
  const certno = syntheticCertno('530902', '1960-05-05', 11);
  assert.deepEqual(await s.call('filingOffer', { certno: '530902195603121011' }), { onRoster: true, fileHere: false, adviceZh: '已在两病名单中' });
  const notPublic = await s.call('filingOffer', { certno });
  assert.equal(notPublic.fileHere, false, 'Lincang files only at public institutions, and this one is not marked public');
  assert.match(notPublic.adviceZh, /待认定人员/);
  setSetting(db, 'filing.public', 'yes');
  const offer = await s.call('filingOffer', { certno });
  assert.equal(offer.fileHere, true);
  assert.match(offer.adviceZh, /一站式办理/);
  const filed = await s.call('file', { session: sess, request: { kind: 'new', psnNo: 'NEW0001', date: '2025-07-01', doctor: { name: '王医生', code: null }, conditions: ['diabetes'], person: { name: '新病人', certno, insurance: 'resident' } } });
  assert.deepEqual([filed.kind, filed.conditions], ['new', ['diabetes']]);
  assert.equal((await s.call('lookup', { input: certno })).patient?.eligible, true, 'eligible at once');

  setSetting(db, 'filing.public', 'no');
  const other = syntheticCertno('530902', '1958-08-08', 13);
  const c = await s.call('addCandidate', { session: sess, certno: other, name: '候选人', conditions: ['hypertension'], drugs: '氨氯地平片' });
  assert.deepEqual([c.nameMasked.startsWith('候'), c.nameMasked.includes('选人'), c.certnoMasked.includes(other.slice(6, 14))], [true, false, false]);
  await s.call('addCandidate', { session: sess, certno: other, name: '候选人', conditions: ['diabetes'] });
  const list = await s.call('candidates', { session: sess });
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0]!.conditionsZh, '高血压、糖尿病', 'seen again for the other condition: both');
  assert.ok(list.csv.startsWith('\uFEFF序号,姓名,身份证号'));
  assert.ok(!list.csv.includes(other) && !list.csv.includes('候选人'), 'the export carries no full ID number or name');
  assert.match(list.filename, /^两病待认定人员名单-H53090200001-2025-07-01\.csv$/);
  await assert.rejects(s.call('addCandidate', { session: sess, certno, name: '新病人', conditions: ['diabetes'] }), (e: unknown) => codeOf(e) === 'ALREADY_ON_ROSTER');
  await assert.rejects(s.call('addCandidate', { session: sess, certno: '530902195603121012', name: '错号', conditions: ['diabetes'] }), (e: unknown) => e instanceof InputError);
});

test('seed 000 §二.(三).6: the stock compliance report for the demo health centre counts the VBP two-disease drugs and the classes it stocks', async () => {
  const { db, s, session } = counter();
  const r = await s.call('stockCompliance', { session: await session() });
  const vbp = db.prepare("SELECT count(DISTINCT generic_name) AS n FROM catalog WHERE vbp = 1 AND category IN ('antihypertensive', 'antidiabetic') AND retail_price IS NOT NULL").get() as { n: number };
  assert.equal(r.vbpDrugs.length, vbp.n);
  assert.equal(r.vbpMinimum, 20, 'a 社区卫生服务中心 is held to the health-centre minimum');
  assert.ok(r.vbpDrugs.length >= 20 && r.classes.hypertension.length >= 5 && r.classes.diabetes.length >= 5, JSON.stringify(r));
  assert.deepEqual([r.meets, r.shortfallsZh], [true, []]);
  // Take VBP drugs off the shelf (no retail price: not sold here) until it falls short.
  db.prepare("UPDATE catalog SET retail_price = NULL WHERE vbp = 1 AND code IN (SELECT code FROM catalog WHERE vbp = 1 ORDER BY code LIMIT 10)").run();
  const after = await s.call('stockCompliance', { session: await session() });
  assert.ok(after.vbpDrugs.length < 20, String(after.vbpDrugs.length));
  assert.equal(after.meets, false);
  assert.deepEqual(after.shortfallsZh.filter((x) => /集采中选两病药品/.test(x)), [`集采中选两病药品 ${after.vbpDrugs.length} 种，少于 20 种（还差 ${20 - after.vbpDrugs.length} 种）`]);
});
