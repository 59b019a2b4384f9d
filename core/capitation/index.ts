// Capitation statements, stored: one per institution and month (a second run returns the first),
// and the year-end summary (年终考核清算 starts from it).
import { randomUUID } from 'node:crypto';
import type { DB } from '../store/db.ts';
import { InputError } from '../contract/problems.ts';
import { Decimal, fen, sum } from '../money/decimal.ts';
import { isMonth } from '../supervision/dates.ts';
import { serviceDate } from '../clock/index.ts';
import { capitationPatients, getStatement, insertStatement, statementsOfYear, type StoredStatement } from '../store/capitation.ts';
import { CAPITATION_RATES, computeCapitation } from './statement.ts';

export * from './statement.ts';
export type { StoredStatement } from '../store/capitation.ts';

function bad(path: string, code: string, message: string, messageZh: string): never {
  throw new InputError(code, message, messageZh, [{ path, code, message, messageZh }]);
}

export function ratesFor(policy: string) {
  const rates = CAPITATION_RATES[policy];
  if (!rates) bad('policy', 'NO_CAPITATION', `policy ${policy} publishes no capitation rates (only ${Object.keys(CAPITATION_RATES).join(', ')} does)`, `${policy}未规定按人头付费标准`);
  return rates;
}

/**
 * The statement for an institution and month: the stored one if it exists, else computed from the
 * roster and stored, in one transaction (two counters running it at once still store one).
 * A month not yet over is refused: the statement is final and a month's heads are known only at its end.
 */
export function capitationStatement(
  db: DB,
  o: { institution: string; month: string; policy: string; today?: string },
  now: Date = new Date(),
): { statement: StoredStatement; reused: boolean; roster?: { heads: number; amount: string; differs: boolean } } {
  if (!isMonth(o.month)) bad('month', 'INVALID_MONTH', `month must be yyyy-MM, got ${JSON.stringify(o.month)}`, '月份格式应为 yyyy-MM');
  // The counter's local calendar: at 01:00 on the 1st in China the month is over, though UTC still says otherwise.
  const today = o.today ?? serviceDate(now);
  if (o.month >= today.slice(0, 7)) bad('month', 'MONTH_NOT_OVER', `${o.month} is not over yet: a statement is final, so it is made after the month ends`, `${o.month} 尚未结束，月末后方可生成结算单`);
  const rates = ratesFor(o.policy);
  return db.transaction(() => {
    const existing = getStatement(db, o.institution, o.month);
    const computed = computeCapitation(o.institution, o.month, rates, capitationPatients(db, o.institution));
    if (existing) {
      // The stored statement stands; what today's roster would give is shown beside it for the
      // year-end 清算 (a late roster change the bureau made after the month was paid).
      return { statement: existing, reused: true, roster: { heads: computed.heads, amount: computed.amount, differs: computed.amount !== existing.amount || computed.heads !== existing.heads } };
    }
    const statement: StoredStatement = { ...computed, id: randomUUID(), policy: o.policy, createdAt: now.toISOString() };
    insertStatement(db, statement);
    return { statement, reused: false };
  }).immediate();
}

export interface YearSummary {
  institution: string;
  year: string;
  months: { month: string; heads: number; hypertensionHeads: number; diabetesHeads: number; amount: string }[];
  missingMonths: string[];
  headMonths: number;
  hypertensionHeadMonths: number;
  diabetesHeadMonths: number;
  hypertensionAmount: string;
  diabetesAmount: string;
  amount: string;
  /** Distinct patients paid for in the year and how many months each. */
  patients: { psnNo: string; months: number; amount: string }[];
}

/** The year's stored statements added up; months up to `through` (default December) without one are listed. */
export function capitationYear(db: DB, institution: string, year: string, through = `${year}-12`): YearSummary {
  if (!/^\d{4}$/.test(year)) bad('year', 'INVALID_YEAR', `year must be yyyy, got ${JSON.stringify(year)}`, '年份格式应为 yyyy');
  const statements = statementsOfYear(db, institution, year);
  const have = new Set(statements.map((s) => s.month));
  const missingMonths: string[] = [];
  for (let m = 1; m <= 12; m++) {
    const month = `${year}-${String(m).padStart(2, '0')}`;
    if (month <= through && !have.has(month)) missingMonths.push(month);
  }
  const perPatient = new Map<string, { months: number; amount: Decimal }>();
  for (const s of statements) {
    for (const l of s.lines) {
      const e = perPatient.get(l.psnNo) ?? { months: 0, amount: new Decimal(0) };
      e.months += 1;
      e.amount = e.amount.plus(l.amount);
      perPatient.set(l.psnNo, e);
    }
  }
  const d = (xs: string[]) => fen(sum(xs.map((x) => new Decimal(x))));
  return {
    institution,
    year,
    months: statements.map((s) => ({ month: s.month, heads: s.heads, hypertensionHeads: s.hypertensionHeads, diabetesHeads: s.diabetesHeads, amount: s.amount })),
    missingMonths,
    headMonths: statements.reduce((a, s) => a + s.heads, 0),
    hypertensionHeadMonths: statements.reduce((a, s) => a + s.hypertensionHeads, 0),
    diabetesHeadMonths: statements.reduce((a, s) => a + s.diabetesHeads, 0),
    hypertensionAmount: d(statements.map((s) => s.hypertensionAmount)),
    diabetesAmount: d(statements.map((s) => s.diabetesAmount)),
    amount: d(statements.map((s) => s.amount)),
    patients: [...perPatient.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([psnNo, e]) => ({ psnNo, months: e.months, amount: fen(e.amount) })),
  };
}
