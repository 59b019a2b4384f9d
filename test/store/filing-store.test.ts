// Filing on a real database (migration 51): the record, the roster row (eligible at once), and the
// upload queue through to the platform with a fake transport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileAtCounter, filingInstitution, qualificationForm, retryUpload, uploadFilings, type FilingInstitution, type FilingTransport } from '../../core/filing/index.ts';
import { filingsBetween, uploadCounts, uploadsOf } from '../../core/store/filing.ts';
import { InputError } from '../../core/contract/problems.ts';
import { addPatient, withDb, withDbAsync } from '../helpers/store-fixtures.ts';

const inst: FilingInstitution = { code: 'H42070000001', name: '某镇卫生院', type: 'clinic', level: 1, policy: 'ezhou', isPublic: true };
const op = { id: 'op1', name: '李医生' };
const doctor = { code: 'D1', name: '王医生' };
const person = { name: '张三丰', certno: '11010519491231002X', gender: '1' as const, birthDate: '1949-12-31', insurance: 'resident' as const, address: '某村' };

function patientRow(db: Parameters<typeof addPatient>[0], psn: string) {
  return db.prepare(`SELECT conditions, status, flagged_by, flagged_date, stopped_reason FROM patients WHERE psn_no = ?`).get(psn) as Record<string, unknown> | undefined;
}

test('migration 51: filing records are immutable and nothing is deleted', () => {
  withDb((db) => {
    const out = fileAtCounter(db, { request: { kind: 'new', psnNo: 'P1', date: '2025-03-01', doctor, conditions: ['hypertension'], person }, institution: inst, operator: op });
    assert.throws(() => db.prepare(`UPDATE filing SET doctor_name = 'x' WHERE id = ?`).run(out.filing.id), /immutable/);
    assert.throws(() => db.prepare(`DELETE FROM filing_upload WHERE filing_id = ?`).run(out.filing.id), /never deleted/);
    assert.throws(() => db.prepare(`UPDATE filing_upload SET status = 'gone' WHERE filing_id = ?`).run(out.filing.id), /CHECK/);
  });
});

test('a new filing puts the patient on the roster at once and queues one register per disease', () => {
  withDb((db) => {
    const out = fileAtCounter(db, { request: { kind: 'new', psnNo: 'P1', date: '2025-03-01', doctor, conditions: ['hypertension', 'diabetes'], person }, institution: inst, operator: op });
    assert.deepEqual(patientRow(db, 'P1'), { conditions: 'both', status: 'active', flagged_by: 'counter', flagged_date: '2025-03-01', stopped_reason: null });
    assert.deepEqual(out.uploads.map((u) => [u.status, u.infno, u.disease]), [['pending', '2503', 'hypertension'], ['pending', '2503', 'diabetes']]);
    assert.equal(filingsBetween(db, '2025-03-01', '2025-03-31').length, 1);
  });
});

test('change filing then stop, each through the queue; revokes carry the serial the register got', async () => {
  await withDbAsync(async (db) => {
    addPatient(db, { psn_no: 'P2', conditions: 'hypertension', flagged_by: 'bureau' });
    const calls: { infno: string; data: Record<string, string> }[] = [];
    let n = 0;
    const transport: FilingTransport = async (infno, input) => {
      calls.push({ infno, data: input.data });
      n += 1;
      return { kind: 'ok', msgid: `H42070000001202504010900000${String(n).padStart(3, '0')}`, output: infno === '2503' ? { trt_dcla_detl_sn: `SN${n}` } : {} };
    };
    fileAtCounter(db, { request: { kind: 'change', psnNo: 'P2', date: '2025-04-01', doctor, reason: 'new-disease', conditions: ['hypertension', 'diabetes'] }, institution: inst, operator: op });
    assert.equal(patientRow(db, 'P2')!.conditions, 'both');
    const stop = fileAtCounter(db, { request: { kind: 'stop', psnNo: 'P2', date: '2025-06-01', doctor, reason: '转门诊慢特病' }, institution: inst, operator: op });
    assert.equal(patientRow(db, 'P2')!.status, 'stopped');
    assert.deepEqual(stop.uploads.map((u) => [u.action, u.infno, u.disease]), [['revoke', '2504', 'hypertension'], ['revoke', '2504', 'diabetes']]);

    const r = await uploadFilings(db, transport);
    assert.equal(r.acked, 3);
    assert.deepEqual(calls.map((c) => [c.infno, c.data.opsp_dise_code]), [['2503', 'M01600'], ['2504', 'M03900'], ['2504', 'M01600']]);
    // The diabetes revoke names the serial of the diabetes register; hypertension was filed by the bureau, so none is known here.
    assert.equal(calls[2]!.data.trt_dcla_detl_sn, 'SN1');
    assert.equal(calls[1]!.data.trt_dcla_detl_sn, '');
    assert.deepEqual(uploadCounts(db), { pending: 0, sending: 0, acked: 3, rejected: 0, ambiguous: 0, dead: 0 });
  });
});

test('unreachable → retried with backoff, refused → rejected, no reply → ambiguous; a person retries', async () => {
  await withDbAsync(async (db) => {
    let clock = Date.parse('2025-03-01T09:00:00Z');
    const now = () => new Date(clock);
    const out = fileAtCounter(db, { request: { kind: 'new', psnNo: 'P3', date: '2025-03-01', doctor, conditions: ['hypertension', 'diabetes'], person }, institution: inst, operator: op });
    let r = await uploadFilings(db, async () => ({ kind: 'unreachable', message: 'ECONNREFUSED' }), { now });
    assert.equal(r.retry, 2);
    assert.equal((await uploadFilings(db, async () => ({ kind: 'ok', msgid: 'x', output: {} }), { now })).acked, 0, 'backing off: nothing due yet');
    clock += 10_000;
    const replies = [{ kind: 'refused' as const, msgid: 'm1', message: '参保人已备案' }, { kind: 'unknown' as const, msgid: 'm2', message: 'timeout' }];
    r = await uploadFilings(db, async () => replies.shift()!, { now });
    assert.deepEqual([r.rejected, r.ambiguous], [1, 1]);
    const ups = uploadsOf(db, out.filing.id);
    assert.deepEqual(ups.map((u) => [u.status, u.attempts, u.lastError]), [['rejected', 2, '参保人已备案'], ['ambiguous', 2, 'timeout']]);
    retryUpload(db, ups[1]!.id, now());
    r = await uploadFilings(db, async () => ({ kind: 'ok', msgid: 'm3', output: {} }), { now });
    assert.equal(r.acked, 1);
    assert.throws(() => retryUpload(db, ups[1]!.id), (e: InputError) => e.code === 'NOT_RETRYABLE');
    // Gives up after maxAttempts.
    fileAtCounter(db, { request: { kind: 'new', psnNo: 'P4', date: '2025-03-01', doctor, conditions: ['hypertension'], person }, institution: inst, operator: op });
    r = await uploadFilings(db, async () => ({ kind: 'unreachable', message: 'down' }), { now, maxAttempts: 1 });
    assert.equal(r.dead, 1);
  });
});

test('a refused filing (level 3 new filing in Ezhou) writes nothing', () => {
  withDb((db) => {
    assert.throws(
      () => fileAtCounter(db, { request: { kind: 'new', psnNo: 'P5', date: '2025-03-01', doctor, conditions: ['hypertension'], person }, institution: { ...inst, level: 3 }, operator: op }),
      (e: InputError) => e.code === 'FILING_LEVEL',
    );
    assert.equal(patientRow(db, 'P5'), undefined);
    assert.equal((db.prepare(`SELECT count(*) AS n FROM filing`).get() as { n: number }).n, 0);
  });
});

test('the institution comes from the site settings; the qualification form prints from the stored filing', () => {
  withDb((db) => {
    assert.throws(() => filingInstitution(db), (e: InputError) => e.code === 'SETTINGS_MISSING');
    const set = db.prepare(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 'now')`);
    for (const [k, v] of Object.entries({ 'institution.code': inst.code, 'institution.name': inst.name, 'institution.type': 'clinic', 'institution.level': '1', 'institution.policy': 'ezhou', 'filing.public': 'yes', 'filing.codes': 'local' })) set.run(k, v);
    const got = filingInstitution(db);
    assert.deepEqual(got, { ...inst, codeSet: 'local' });
    const out = fileAtCounter(db, { request: { kind: 'new', psnNo: 'P6', date: '2025-03-01', doctor, conditions: ['diabetes'], person, history: '多饮多尿' }, institution: got, operator: op, codeSet: got.codeSet });
    assert.equal(out.uploads[0]!.infno, '2562');
    const html = qualificationForm(db, out.filing.id, inst.name, 'ezhou');
    assert.match(html, /鄂州市参保人员/);
    assert.match(html, /11010519491231002X/);
    assert.match(html, /☑糖尿病/);
  });
});

test('eligible at once: after a counter filing the policy engine covers the patient (Ezhou; Kunming with the filing clinic as designated institution)', async () => {
  const { loadPolicyBook, quote } = await import('../../core/policy/index.ts');
  const { QuoteRequestSchema } = await import('../../core/contract/quote.ts');
  const book = loadPolicyBook();
  withDb((db) => {
    for (const [policy, code, date] of [['ezhou', 'H42070000001', '2025-03-01'], ['kunming', 'H53010000001', '2024-03-01']] as const) {
      const psn = `E-${policy}`;
      const here: FilingInstitution = { code, name: '某社区卫生服务中心', type: 'clinic', level: 1, policy, isPublic: true };
      fileAtCounter(db, { request: { kind: 'new', psnNo: psn, date, doctor, conditions: ['hypertension'], person }, institution: here, operator: op });
      const row = db.prepare(`SELECT insutype, conditions, management_class, designated_institution, chronic_disease_since, status FROM patients WHERE psn_no = ?`).get(psn) as {
        insutype: string; conditions: string; management_class: 1 | 2 | null; designated_institution: string | null; chronic_disease_since: string | null; status: string;
      };
      assert.equal(row.status, 'active');
      assert.equal(row.designated_institution, policy === 'kunming' ? code : null);
      const req = QuoteRequestSchema.parse({
        policy,
        date,
        institution: { type: 'clinic', level: 1, code },
        patient: { insurance: row.insutype === '310' ? 'employee' : 'resident', conditions: row.conditions === 'both' ? ['hypertension', 'diabetes'] : [row.conditions], managementClass: row.management_class, chronicDiseaseSince: row.chronic_disease_since, designatedInstitution: row.designated_institution },
        // Kunming publishes no cap of its own (seed 002 §四.(三)(四)): the site supplies one.
        ...(policy === 'kunming' ? { annualCap: '500.00' } : {}),
        lines: [{ id: 'a', kind: 'drug', listed: true, vbp: true, price: '10', quantity: '1' }],
      });
      const result = quote(book, req);
      assert.equal(result.eligible, true, `${policy}: ${JSON.stringify(result.reasons)}`);
      assert.ok(Number(result.fund) > 0, policy);
    }
  });
});

test('a filing dated after today is refused', () => {
  withDb((db) => {
    assert.throws(
      () => fileAtCounter(db, { request: { kind: 'new', psnNo: 'F1', date: '2025-03-02', doctor, conditions: ['hypertension'], person }, institution: inst, operator: op }, new Date('2025-03-01T08:00:00')),
      (e: InputError) => e.code === 'FUTURE_DATE',
    );
  });
});

test('an upload left sending by a crash becomes ambiguous (never silently resent); a throwing transport is ambiguous too; runs do not overlap', async () => {
  await withDbAsync(async (db) => {
    const out = fileAtCounter(db, { request: { kind: 'new', psnNo: 'K1', date: '2025-03-01', doctor, conditions: ['hypertension', 'diabetes'], person }, institution: inst, operator: op });
    const [first, second] = uploadsOf(db, out.filing.id);
    db.prepare(`UPDATE filing_upload SET status = 'sending', attempts = 1 WHERE id = ?`).run(first!.id); // the process died here
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: FilingTransport = async () => {
      calls += 1;
      await gate;
      throw new Error('socket hang up');
    };
    const run1 = uploadFilings(db, slow);
    const run2 = await uploadFilings(db, slow); // overlaps run1: does nothing
    assert.deepEqual([run2.acked, run2.recovered, calls], [0, 0, 1]);
    release();
    const r1 = await run1;
    assert.equal(r1.recovered, 1);
    assert.equal(r1.ambiguous, 1);
    const after = uploadsOf(db, out.filing.id);
    assert.deepEqual(after.map((u) => u.status), ['ambiguous', 'ambiguous']);
    assert.match(after[0]!.lastError ?? '', /interrupted while sending/);
    assert.match(after[1]!.lastError ?? '', /socket hang up/);
    assert.equal(after[1]!.id, second!.id);
  });
});
