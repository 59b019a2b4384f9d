// A person buying two-disease drugs who is not on the roster: at a public level 1–2 institution
// they are offered filing on the spot (seed 000 §二.(一).2 一站式办理); elsewhere they go on a
// candidates list the health commission verifies (seed 000 §二.(一).1), exported with the
// personal data masked.
import { z } from 'zod';
import { parseOrThrow, InputError } from '../contract/problems.ts';
import { isoDate } from '../contract/fields.ts';
import { parseIdNumber } from '../identity/idnumber.ts';
import { maskCertno, maskName } from '../identity/mask.ts';
import { csvCell } from '../reports/render.ts';
import type { DB } from '../store/db.ts';
import { findPatient } from '../store/roster.ts';
import { listCandidates, upsertCandidate, type CandidateRow } from '../store/cash.ts';
import { institutionMayNotFile, type FilingInstitution } from './plan.ts';

export interface FilingOffer {
  /** Already on the local roster (nothing to offer). */
  onRoster: boolean;
  /** This institution may file the person now. */
  fileHere: boolean;
  /** What the counter says, in plain Chinese. */
  adviceZh: string;
}

export function filingOffer(db: DB, inst: FilingInstitution, certno: string): FilingOffer {
  if (findPatient(db, { certno })) return { onRoster: true, fileHere: false, adviceZh: '已在两病名单中' };
  const barred = institutionMayNotFile('new', inst);
  if (!barred) return { onRoster: false, fileHere: true, adviceZh: '未在两病名单中。本机构可为确诊的高血压、糖尿病患者一站式办理两病备案，备案后即时享受待遇。' };
  return { onRoster: false, fileHere: false, adviceZh: `未在两病名单中，本机构不能办理备案（${barred.messageZh}）。可登记为待认定人员，由卫生健康部门核实后纳入名单；本次可按自费购药。` };
}

const Condition = z.enum(['hypertension', 'diabetes']);
export const CandidateInputSchema = z
  .object({
    certno: z.string().trim().min(15).max(18),
    name: z.string().trim().min(1).max(50),
    conditions: z.array(Condition).min(1, { message: 'say which condition the drugs are for' }).max(2),
    drugs: z.string().trim().max(200).nullable().default(null),
    date: isoDate('date', '日期'),
    operatorId: z.string().min(1),
  })
  .strict();

export function addCandidate(db: DB, raw: z.input<typeof CandidateInputSchema>): CandidateRow {
  const c = parseOrThrow(CandidateInputSchema, raw);
  const id = parseIdNumber(c.certno, c.date, 'certno');
  if (!id.valid) throw new InputError('INVALID_REQUEST', `certno: ${id.problems[0]!.message}`, `身份证号：${id.problems[0]!.messageZh}`, id.problems);
  if (findPatient(db, { certno: id.normalized })) {
    throw new InputError('ALREADY_ON_ROSTER', 'the person is on the roster already', '该人员已在两病名单中，无需登记', [{ path: 'certno', code: 'ALREADY_ON_ROSTER', message: 'on the roster', messageZh: '已在名单中' }]);
  }
  const conditions = c.conditions.length === 2 ? 'both' : c.conditions[0]!;
  const row: CandidateRow = { certno: id.normalized, name: c.name, conditions, drugs: c.drugs, first_seen: c.date, last_seen: c.date, operator_id: c.operatorId };
  db.transaction(() => upsertCandidate(db, row))();
  return listCandidates(db).find((r) => r.certno === row.certno)!;
}

const CONDITION_ZH = { hypertension: '高血压', diabetes: '糖尿病', both: '高血压、糖尿病' } as const;

export interface CandidateView {
  nameMasked: string;
  certnoMasked: string;
  conditionsZh: string;
  drugs: string | null;
  firstSeen: string;
  lastSeen: string;
}

/** The list as it leaves the counter: personal data masked (the commission matches on its own records). */
export function candidateViews(db: DB): CandidateView[] {
  return listCandidates(db).map((r) => ({ nameMasked: maskName(r.name), certnoMasked: maskCertno(r.certno), conditionsZh: CONDITION_ZH[r.conditions], drugs: r.drugs, firstSeen: r.first_seen, lastSeen: r.last_seen }));
}

export function candidatesCsv(views: readonly CandidateView[], institution: { code: string; name: string }): string {
  const head = ['序号', '姓名', '身份证号', '购药病种', '所购药品', '首次登记', '最近登记', '登记机构编码', '登记机构'];
  const rows = views.map((v, i) => [String(i + 1), v.nameMasked, v.certnoMasked, v.conditionsZh, v.drugs ?? '', v.firstSeen, v.lastSeen, institution.code, institution.name].map((x) => csvCell(x)).join(','));
  return `\uFEFF${[head.map((x) => csvCell(x)).join(','), ...rows].join('\r\n')}\r\n`;
}
