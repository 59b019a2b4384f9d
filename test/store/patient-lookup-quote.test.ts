// Looking a patient up at the counter (any identifier → flags, policy version, eligibility with
// reasons, cap used/left) and quoting a sale from local data only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { seedDemoData, DEMO_PATIENTS, DEMO_INSTITUTIONS, demoPatientCertno, demoDrugs } from '../../core/demo/seed.ts';
import { lookupPatient } from '../../core/patient/index.ts';
import { quoteSale } from '../../core/sale/index.ts';
import { SaleLineSchema } from '../../core/contract/sale.ts';
import { parseOrThrow } from '../../core/contract/problems.ts';
import { loadPolicyBook, quote } from '../../core/policy/index.ts';
import { recordLedgerUsage } from '../../core/store/ledger.ts';
import { setInstitution } from '../../core/store/settings.ts';

const book = loadPolicyBook(undefined);
function demoDb(region: keyof typeof DEMO_INSTITUTIONS = 'lincang'): DB {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-data-patient-')));
  seedDemoData(db, { region });
  return db;
}
const patient = (name: string) => DEMO_PATIENTS.find((p) => p.name === name)!;
const psn = (name: string) => `${patient(name).region}DM${String(patient(name).seq).padStart(4, '0')}`;
const certno = (name: string) => demoPatientCertno(patient(name));
const drug = (name: string, form = '口服常释剂型') => demoDrugs().find((d) => d.name === name && d.form === form)!;
const codeOf = (e: unknown) => (e as { code?: string }).code;

/**
 * A quote from local data through the sale pipeline (core/sale), the lines checked first as every
 * caller's schema checks them (the plugin API, the CLI): the engine request, its answer, and each
 * line's catalog and list facts.
 */
function quoteForPatient(db: DB, b: typeof book, sale: { input: string; date: string; lines: { code: string; quantity: string | number; price?: string }[] }) {
  const lines = sale.lines.map((l, i) => ({ ...parseOrThrow(SaleLineSchema, { code: l.code, quantity: l.quantity }, ['lines', i]), price: l.price }));
  const priced = quoteSale(db, b, { patient: sale.input, date: sale.date, lines });
  return { request: priced.request, result: priced.result, items: priced.lines.map((l) => ({ demo: l.item.demo, listed: l.listing.listed, list: l.listing.list })) };
}

test('lookup by 人员编号, ID number (18 and legacy 15), card record and e-voucher token', () => {
  const db = demoDb();
  const id = certno('张桂英');
  for (const input of [psn('张桂英'), id, id.toLowerCase(), `${id.slice(0, 6)}${id.slice(8, 17)}`]) {
    assert.equal(lookupPatient(db, book, input, '2025-07-01').patient.psnNo, psn('张桂英'), input);
  }
  const card = ['530902', id, 'D53000101', 'CSN0001', '张桂英', '00', '3.00', '20200101', '20300101', 'T1', 'D1'].join('|');
  const byCard = lookupPatient(db, book, card, '2025-07-01');
  assert.equal(byCard.input.kind, 'social-security-card');
  assert.equal(byCard.patient.psnNo, psn('张桂英'));
  const byToken = lookupPatient(db, book, 'ECDEMO0a1b2c3d4e5f60718293', '2025-07-01');
  assert.equal(byToken.patient.psnNo, psn('李国华'));
  assert.equal(byToken.input.kind, 'ec-voucher');
});

test('not found, unreadable, or a token only the platform can decode: each said plainly', () => {
  const db = demoDb();
  const id = certno('张桂英');
  const wrong = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
  assert.throws(() => lookupPatient(db, book, wrong, '2025-07-01'), (e) => codeOf(e) === 'PATIENT_UNREADABLE' && /check digit/.test((e as Error).message));
  assert.throws(() => lookupPatient(db, book, '11010519491231002X', '2025-07-01'), (e) => codeOf(e) === 'PATIENT_NOT_FOUND' && !(e as Error).message.includes('19491231'));
  assert.throws(() => lookupPatient(db, book, 'ECUNKNOWN0123456789abcdef', '2025-07-01'), (e) => codeOf(e) === 'PATIENT_NEEDS_NETWORK' && /ID card/.test((e as Error).message));
  assert.throws(() => lookupPatient(db, book, psn('张桂英'), '2025-02-30'), (e) => codeOf(e) === 'INVALID_DATE');
});

test('personal data is masked unless revealed for the operator', () => {
  const db = demoDb();
  const view = lookupPatient(db, book, psn('张桂英'), '2025-07-01');
  const text = JSON.stringify(view);
  assert.ok(!text.includes(certno('张桂英')) && !text.includes('张桂英'));
  assert.equal(view.patient.name, '张*英');
  assert.match(view.patient.certno, /^5309\*{10}\d{3}[\dX]$/);
  assert.equal(view.raw, undefined);
  const revealed = lookupPatient(db, book, psn('张桂英'), '2025-07-01', { reveal: true });
  assert.deepEqual([revealed.raw?.name, revealed.raw?.certno], ['张桂英', certno('张桂英')]);
});

test('Lincang: policy version by date, cap by conditions, used = bureau figure + own entries (seed 000 §二.(二).3)', () => {
  const db = demoDb();
  const both = lookupPatient(db, book, psn('李国华'), '2025-07-01');
  assert.deepEqual([both.policy.id, both.policy.version], ['lincang', '2024-07-16']);
  assert.equal(both.eligibility.eligible, true);
  assert.deepEqual([both.cap.limit, both.cap.used, both.cap.left], ['720.00', '650.00', '70.00']);
  recordLedgerUsage(db, { psnNo: psn('李国华'), date: '2025-07-02', amount: '25.50', settlementId: 'S-1' });
  const after = lookupPatient(db, book, psn('李国华'), '2025-07-03');
  assert.deepEqual([after.cap.used, after.cap.left, after.cap.local], ['675.50', '44.50', '25.50']);
  // The new year starts from zero.
  assert.deepEqual(lookupPatient(db, book, psn('李国华'), '2026-01-01').cap.used, '0.00');
  // Before 2024-07-16 the 2022 rules apply: 400 for any condition.
  const old = lookupPatient(db, book, psn('张桂英'), '2024-07-01');
  assert.deepEqual([old.policy.version, old.cap.limit], ['2022-01-01', '400.00']);
});

test('eligibility reasons: employee, stopped, chronic-disease benefits, not yet flagged (seed 000 §二.(二).3–4)', () => {
  const db = demoDb();
  const reasons = (name: string, date: string) => lookupPatient(db, book, psn(name), date).eligibility.reasons.map((r) => r.code);
  assert.deepEqual(reasons('赵建军', '2025-07-01'), ['INSURANCE_NOT_COVERED'], 'Lincang covers residents only');
  assert.deepEqual(reasons('陈玉珍', '2025-05-30'), [], 'stopped 2025-05-31: still eligible the day before');
  assert.deepEqual(reasons('陈玉珍', '2025-05-31'), ['PATIENT_STOPPED']);
  assert.deepEqual(reasons('刘德明', '2025-02-28'), []);
  assert.deepEqual(reasons('刘德明', '2025-03-01'), ['CHRONIC_DISEASE_SUPERSEDES'], '门诊慢性病 from its start date');
  const one = lookupPatient(db, book, psn('赵建军'), '2025-07-01').eligibility.reasons[0]!;
  assert.ok(one.message.length > 0 && one.messageEn.length > 0);
});

test('Kunming: only at the designated institution (seed 002); Chongqing: class and extra diseases (seed 001)', () => {
  const km = demoDb('kunming');
  const codes = (db: DB, name: string, date = '2025-07-01') => lookupPatient(db, book, psn(name), date).eligibility.reasons.map((r) => r.code);
  assert.deepEqual(codes(km, '马丽华'), []);
  assert.deepEqual(codes(km, '朱永福'), ['NOT_DESIGNATED_INSTITUTION']);
  assert.deepEqual(codes(km, '胡小英'), ['NO_DESIGNATED_INSTITUTION']);
  assert.deepEqual(codes(km, '林国庆', '2026-11-30'), ['NOT_YET_FLAGGED']);
  assert.equal(lookupPatient(km, book, psn('马丽华'), '2025-07-01').cap.limit, '720.00', 'the site cap where the policy sets none');
  const cq = demoDb('chongqing');
  const two = lookupPatient(cq, book, psn('黄淑芬'), '2025-07-01');
  assert.equal(two.flags.managementClass, 2);
  assert.equal(two.flags.otherChronicDiseases, 1);
  assert.ok(two.cap.limit !== null && Number(two.cap.limit) > 0);
});

test('a quote through the sale pipeline builds the request from local data; the engine gets listed/VBP/payment standard/used', () => {
  const db = demoDb();
  const metf = drug('二甲双胍');
  const nitr = drug('尼群地平');
  const q = quoteForPatient(db, book, { input: psn('李国华'), date: '2025-07-01', lines: [{ code: metf.ownCode, quantity: 2 }, { code: nitr.barcode, quantity: '1' }] });
  assert.equal(q.request.usedThisYear, '650.00');
  assert.deepEqual(q.request.patient.conditions, ['hypertension', 'diabetes']);
  assert.deepEqual(q.request.institution, { type: 'clinic', level: 1, code: DEMO_INSTITUTIONS.lincang.code });
  const [l1, l2] = q.request.lines;
  assert.deepEqual([l1!.listed, l1!.vbp, l1!.price, l1!.paymentStandard], [true, true, metf.retailPrice, metf.vbpPrice]);
  assert.deepEqual([l2!.listed, l2!.vbp, l2!.price, l2!.paymentStandard], [true, false, nitr.retailPrice, nitr.paymentStandard]);
  assert.equal(q.result.lines[0]!.rate, '0.9', 'VBP at 90% (seed 000 §二.(二).3)');
  assert.equal(q.result.lines[1]!.rate, '0.6');
  assert.ok(Number(q.result.fund) <= 70, 'no more than the 70.00 left of the 720 cap');
  assert.equal(q.items[0]!.demo, true);
  // The request stands on its own: quoting it again gives the same split (what settle does).
  assert.deepEqual(quote(book, q.request), q.result);
});

test('a quote through the sale pipeline: unknown code names lines.N.code; the county list decides listing; a stopped patient gets no fund', () => {
  const db = demoDb();
  assert.throws(
    () => quoteForPatient(db, book, { input: psn('张桂英'), date: '2025-07-01', lines: [{ code: drug('氨氯地平').code, quantity: 1 }, { code: 'NOPE', quantity: 1 }] }),
    (e) => codeOf(e) === 'INVALID_REQUEST' && JSON.stringify((e as { problems: { path: string }[] }).problems.map((p) => p.path)) === '["lines.1.code"]',
  );
  assert.throws(
    () => quoteForPatient(db, book, { input: psn('张桂英'), date: '2025-07-01', lines: [{ code: drug('氨氯地平').code, quantity: 0 }] }),
    (e) => JSON.stringify((e as { problems: { path: string }[] }).problems.map((p) => p.path)) === '["lines.0.quantity"]',
  );
  // 凤庆县 keeps its own list without the negotiated SGLT-2 drugs (seed 000 §二.(三).5).
  setInstitution(db, { region: '530921' });
  const dapa = drug('达格列净');
  const county = quoteForPatient(db, book, { input: psn('刘德明'), date: '2025-02-01', lines: [{ code: dapa.code, quantity: 1 }] });
  assert.deepEqual([county.items[0]!.listed, county.items[0]!.list, county.result.lines[0]!.reason?.code], [false, '530921', 'NOT_LISTED']);
  setInstitution(db, { region: '530902' });
  const prefecture = quoteForPatient(db, book, { input: psn('刘德明'), date: '2025-02-01', lines: [{ code: dapa.code, quantity: 1 }] });
  assert.deepEqual([prefecture.items[0]!.listed, prefecture.items[0]!.list], [true, '530900']);
  // Stopped: the request carries no active condition, so even a re-quote pays nothing.
  const stopped = quoteForPatient(db, book, { input: psn('陈玉珍'), date: '2025-06-01', lines: [{ code: drug('二甲双胍').code, quantity: 1 }] });
  assert.equal(stopped.result.eligible, false);
  assert.equal(stopped.result.fund, '0.00');
  assert.equal(stopped.result.reasons[0]!.code, 'PATIENT_STOPPED');
  assert.deepEqual(stopped.request.patient.conditions, []);
  assert.equal(quote(book, stopped.request).fund, '0.00');
});

test('a price the clerk keys in overrides the catalog; an item with no price asks for one', () => {
  const db = demoDb();
  const amlo = drug('氨氯地平');
  const q = quoteForPatient(db, book, { input: psn('张桂英'), date: '2025-07-01', lines: [{ code: amlo.code, quantity: 1, price: '9.99' }] });
  assert.equal(q.request.lines[0]!.price, '9.99');
  db.prepare('UPDATE catalog SET retail_price = NULL WHERE code = ?').run(amlo.code);
  assert.throws(() => quoteForPatient(db, book, { input: psn('张桂英'), date: '2025-07-01', lines: [{ code: amlo.code, quantity: 1 }] }), (e) =>
    JSON.stringify((e as { problems: { path: string; code: string }[] }).problems.map((p) => [p.path, p.code])) === '[["lines.0.price","NO_PRICE"]]',
  );
});
