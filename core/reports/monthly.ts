// The monthly report of seed 003 附件4 (城乡居民) and 附件5 (城镇职工): by disease (高血压, 糖尿病,
// 合计) the insured and filed counts, and medical cost and reimbursement at level 1 and below,
// level 2, level 3 and pharmacies, and in total. Pure: facts in, table out.
import { Decimal, fen } from '../money/decimal.ts';
import type { SettlementFact, SettlementLineFact } from '../store/reports.ts';
import { int, money, text, type ReportTable } from './model.ts';

export type InstitutionColumn = 'level1' | 'level2' | 'level3' | 'pharmacy';
export const INSTITUTION_COLUMNS: { key: InstitutionColumn; zh: string; en: string }[] = [
  { key: 'level1', zh: '一级及以下医疗机构', en: 'level 1 and below' },
  { key: 'level2', zh: '二级医疗机构', en: 'level 2' },
  { key: 'level3', zh: '三级医疗机构', en: 'level 3' },
  { key: 'pharmacy', zh: '定点药店', en: 'pharmacies' },
];

export function institutionColumn(type: 'clinic' | 'pharmacy', level: number): InstitutionColumn {
  if (type === 'pharmacy') return 'pharmacy';
  if (level >= 3) return 'level3';
  if (level === 2) return 'level2';
  return 'level1';
}

export type Disease = 'hypertension' | 'diabetes';

/**
 * Which disease a line's cost belongs to: the drug's category (降压 → hypertension, 降糖 →
 * diabetes); otherwise the patient's one condition; for a patient with both and a line that is
 * neither (an examination, another drug) no single disease: it counts in the total only.
 */
export function lineDisease(line: SettlementLineFact, conditions: readonly Disease[]): Disease | null {
  if (line.category === 'antihypertensive') return 'hypertension';
  if (line.category === 'antidiabetic') return 'diabetes';
  if (conditions.length === 1) return conditions[0]!;
  return null;
}

export interface HeadCounts {
  hypertension: number;
  diabetes: number;
  total: number;
}

export interface MonthlyInput {
  settlements: SettlementFact[];
  insured: HeadCounts;
  filed: HeadCounts;
}

type Cell = { cost: Decimal; fund: Decimal };
const zero = (): Cell => ({ cost: new Decimal(0), fund: new Decimal(0) });

export function monthlyTable(input: MonthlyInput): { table: ReportTable; totals: { cost: string; fund: string }; unattributed: { cost: string; fund: string } } {
  const cells: Record<'hypertension' | 'diabetes' | 'total', Record<InstitutionColumn | 'all', Cell>> = {
    hypertension: { level1: zero(), level2: zero(), level3: zero(), pharmacy: zero(), all: zero() },
    diabetes: { level1: zero(), level2: zero(), level3: zero(), pharmacy: zero(), all: zero() },
    total: { level1: zero(), level2: zero(), level3: zero(), pharmacy: zero(), all: zero() },
  };
  const unattributed = zero();
  const add = (c: Cell, cost: Decimal, fund: Decimal) => {
    c.cost = c.cost.plus(cost);
    c.fund = c.fund.plus(fund);
  };
  for (const s of input.settlements) {
    const col = institutionColumn(s.institutionType, s.institutionLevel);
    // A record without lines (should not happen) still counts in the totals.
    const lines = s.lines.length ? s.lines : [{ total: s.total, inScope: s.inScope, fund: s.fund, category: null, kind: 'drug' as const }];
    for (const l of lines) {
      const cost = new Decimal(l.total);
      const fund = new Decimal(l.fund);
      add(cells.total[col], cost, fund);
      add(cells.total.all, cost, fund);
      const d = lineDisease(l, s.conditions);
      if (d) {
        add(cells[d][col], cost, fund);
        add(cells[d].all, cost, fund);
      } else add(unattributed, cost, fund);
    }
  }
  const groups = INSTITUTION_COLUMNS.map((c) => c.zh);
  const columns = [
    text('disease', 'disease', '疾病病种'),
    int('insured', 'insured', '参保人数'),
    int('filed', 'filed', '备案人数'),
    ...INSTITUTION_COLUMNS.flatMap((c, i) => [money(`${c.key}Cost`, `${c.en}: medical cost`, '医疗费', groups[i]), money(`${c.key}Fund`, `${c.en}: reimbursed`, '报销额', groups[i])]),
    money('totalCost', 'total: medical cost', '医疗费', '合计'),
    money('totalFund', 'total: reimbursed', '报销额', '合计'),
  ];
  const row = (key: 'hypertension' | 'diabetes' | 'total', zh: string) => {
    const r: Record<string, string | number> = { disease: zh, insured: input.insured[key], filed: input.filed[key] };
    for (const c of INSTITUTION_COLUMNS) {
      r[`${c.key}Cost`] = fen(cells[key][c.key].cost);
      r[`${c.key}Fund`] = fen(cells[key][c.key].fund);
    }
    r.totalCost = fen(cells[key].all.cost);
    r.totalFund = fen(cells[key].all.fund);
    return r;
  };
  const rows = [row('hypertension', '高血压'), row('diabetes', '糖尿病'), row('total', '合计')];
  return {
    table: { id: 'monthly', title: 'Two-disease outpatient medication: monthly report', titleZh: '“两病”门诊用药保障月报表', columns, rows },
    totals: { cost: fen(cells.total.all.cost), fund: fen(cells.total.all.fund) },
    unattributed: { cost: fen(unattributed.cost), fund: fen(unattributed.fund) },
  };
}
