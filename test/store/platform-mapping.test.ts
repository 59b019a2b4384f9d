// Our records in the national field names and code tables (platform-interface.md §2–3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTemp, saleInput } from '../helpers/settlement.ts';
import { settle } from '../../core/settlement/settle.ts';
import { getSettlement, linesOf } from '../../core/store/journal.ts';
import { loadPlatformConfig } from '../../core/platform/config.ts';
import { buildInput, type StoredPatient } from '../../core/platform/mapping.ts';
import { buildEnvelope } from '../../core/platform/envelope.ts';
import { saleSteps } from '../../core/outbox/steps.ts';

const config = loadPlatformConfig();

function ctxFor(type: 'clinic' | 'pharmacy', over: Parameters<typeof saleInput>[0] = {}) {
  const { db } = openTemp();
  const input = saleInput({ type, ...over });
  const rec = settle(db, input);
  const row = getSettlement(db, rec.id)!;
  const lines = linesOf(db, rec.id);
  const region = config.region(over.policy ?? 'lincang');
  return {
    row,
    base: { region, record: row, sale: row, patient: JSON.parse(row.patient_json) as StoredPatient, lines, amounts: { total: row.total, inScope: row.in_scope }, mdtrtId: 'MD1', target: null, hints: false, at: new Date('2024-08-01T02:00:00Z') },
  };
}

test('pharmacy 2102: druginfo with insutype 390, mdtrt_cert_type 02, med_type 41, dise_codg M03900; drugdetail keyed by feedetl_sn; amounts as strings', () => {
  const { row, base } = ctxFor('pharmacy');
  const [step] = saleSteps('pharmacy');
  assert.equal(step!.infno, '2102');
  const input = buildInput(step!, base) as { druginfo: Record<string, unknown>; drugdetail: Record<string, unknown>[]; lbc_hint?: unknown };
  assert.equal(input.druginfo.insutype, '390');
  assert.equal(input.druginfo.mdtrt_cert_type, '02');
  assert.equal(input.druginfo.med_type, '41');
  assert.equal(input.druginfo.dise_codg, 'M03900');
  assert.equal(input.druginfo.medfee_sumamt, row.total);
  assert.equal(input.druginfo.medins_setl_id, row.id);
  assert.equal(input.druginfo.invono, row.receipt_no);
  assert.deepEqual(input.drugdetail.map((d) => d.feedetl_sn), [`${row.receipt_no}001`, `${row.receipt_no}002`]);
  assert.equal(input.drugdetail[0]!.cnt, '28');
  assert.equal(input.drugdetail[0]!.pric, '0.15');
  assert.equal(input.drugdetail[0]!.med_list_codg, saleInput().lines[0]!.code);
  assert.equal(input.lbc_hint, undefined, 'no simulator hints unless configured');
  for (const d of input.drugdetail) for (const v of Object.values(d)) assert.notEqual(typeof v, 'number', 'no floats on the wire');
});

test('clinic: 2203 carries med_type 14 with the diabetes code M01600 and an ICD-10 diagnosis; 2207 the visit id and employee insutype 310', () => {
  const { base } = ctxFor('clinic', { policy: 'ezhou', insurance: 'employee' }) // seed 003 §二.(一).3(2): Ezhou covers employees too;
  base.patient.conditions = ['diabetes'];
  const steps = saleSteps('clinic');
  assert.deepEqual(steps.map((s) => s.infno), ['2201', '2203', '2204', '2207']);
  const visit = buildInput(steps[1]!, base) as { mdtrtinfo: Record<string, string>; diseinfo: Record<string, string>[] };
  assert.equal(visit.mdtrtinfo.med_type, '14');
  assert.equal(visit.mdtrtinfo.dise_codg, 'M01600');
  assert.equal(visit.mdtrtinfo.mdtrt_id, 'MD1');
  assert.match(visit.diseinfo[0]!.diag_code ?? "", /^E11/);
  const settleIn = buildInput(steps[3]!, base) as { data: Record<string, string> };
  assert.equal(settleIn.data.insutype, '310');
  assert.equal(settleIn.data.mdtrt_id, 'MD1');
  assert.equal(settleIn.data.psn_setlway, '01');
  const env = buildEnvelope('2207', 'H53090100001202408011000000001', settleIn, { region: base.region, mdtrtareaAdmvs: '530900', insuplcAdmdvs: '530902', institution: { code: 'H53090100001', name: 'x' }, operator: { id: 'op', name: '甲' } }, base.at);
  assert.equal(env.inf_time, '2024-08-01 10:00:00');
  assert.equal(env.insuplc_admdvs, '530902');
  assert.equal(env.infver, 'V1.0');
});

test('a region override changes the codes without a code change (med_type for 两病 differs by province)', async () => {
  const { parsePlatformConfig, BUNDLED_PLATFORM_CONFIG } = await import('../../core/platform/config.ts');
  const { readFileSync } = await import('node:fs');
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.regions.lincang.medType = { clinic: '1404', pharmacy: '41' };
  const region = parsePlatformConfig(raw, 'site').region('lincang');
  const { base } = ctxFor('clinic');
  const visit = buildInput(saleSteps('clinic')[1]!, { ...base, region }) as { mdtrtinfo: Record<string, string> };
  assert.equal(visit.mdtrtinfo.med_type, '1404');
  assert.throws(() => parsePlatformConfig({ ...raw, regions: { x: { mdtrtareaAdmvs: '12' } } }, 'bad'), /not a valid platform configuration/);
});

test('a 医保电子凭证 token (01) goes as read while fresh; an upload after ecTokenValidMinutes falls back to the ID number (02)', () => {
  const { base, row } = ctxFor('pharmacy');
  base.patient.certType = '01';
  base.patient.certNo = 'EC-TOKEN-123';
  base.patient.certno = '530902199001011234';
  const step = saleSteps('pharmacy')[0]!;
  const fresh = buildInput(step, { ...base, at: new Date(Date.parse(row.settled_at) + 60_000) }) as { druginfo: Record<string, string> };
  assert.equal(fresh.druginfo.mdtrt_cert_type, '01');
  assert.equal(fresh.druginfo.mdtrt_cert_no, 'EC-TOKEN-123');
  const late = buildInput(step, { ...base, at: new Date(Date.parse(row.settled_at) + 6 * 60_000) }) as { druginfo: Record<string, string> };
  assert.equal(late.druginfo.mdtrt_cert_type, '02');
  assert.equal(late.druginfo.mdtrt_cert_no, '530902199001011234');
});
