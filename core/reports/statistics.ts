// The statistics of seed 000 §二.(五).12: for the two-disease population, by scheme (两病用药专项保障
// vs 门诊慢特病待遇) and by disease — people benefiting (待遇享受人数), costs reimbursed
// (报销费用: the in-scope cost that entered reimbursement) and fund paid (基金支付).
import { Decimal, fen } from '../money/decimal.ts';
import type { RosterCount, SettlementFact } from '../store/reports.ts';
import { lineDisease } from './monthly.ts';
import { int, money, text, type ReportTable } from './model.ts';
import { countSettlements } from './counts.ts';

/** A group's records plus the sales its reversals undo (a reversal's lines may fall in another group). */
function withOriginals(records: SettlementFact[], all: readonly SettlementFact[]): SettlementFact[] {
  const have = new Set(records.map((r) => r.id));
  const extra = records.flatMap((r) => (r.originalId && !have.has(r.originalId) ? all.filter((x) => x.id === r.originalId) : []));
  return [...records, ...extra];
}

export type Scheme = 'two-disease' | 'chronic-disease';
export const SCHEMES: { key: Scheme; zh: string }[] = [
  { key: 'two-disease', zh: '“两病”用药专项保障' },
  { key: 'chronic-disease', zh: '门诊慢特病待遇' },
];

/** A sale falls under the chronic-disease scheme when the patient's 门诊慢特病 benefits had begun by its date. */
export function schemeOf(s: SettlementFact): Scheme {
  return s.chronicDiseaseSince !== null && s.chronicDiseaseSince <= s.date ? 'chronic-disease' : 'two-disease';
}

type Acc = { cost: Decimal; inScope: Decimal; fund: Decimal; records: SettlementFact[]; fundByPerson: Map<string, Decimal> };
const acc = (): Acc => ({ cost: new Decimal(0), inScope: new Decimal(0), fund: new Decimal(0), records: [], fundByPerson: new Map() });

export function statisticsTable(settlements: SettlementFact[], roster: RosterCount[]): { table: ReportTable; benefiting: number } {
  const keys = ['hypertension', 'diabetes', 'total'] as const;
  const data = new Map<string, Acc>();
  const get = (scheme: Scheme, d: (typeof keys)[number]) => {
    const k = `${scheme}/${d}`;
    let a = data.get(k);
    if (!a) data.set(k, (a = acc()));
    return a;
  };
  for (const s of settlements) {
    const scheme = schemeOf(s);
    const touched = new Set<string>();
    for (const l of s.lines) {
      const d = lineDisease(l, s.conditions);
      for (const key of d ? [d, 'total' as const] : ['total' as const]) {
        const a = get(scheme, key);
        a.cost = a.cost.plus(l.total);
        a.inScope = a.inScope.plus(l.inScope);
        a.fund = a.fund.plus(l.fund);
        a.fundByPerson.set(s.psnNo, (a.fundByPerson.get(s.psnNo) ?? new Decimal(0)).plus(l.fund));
        touched.add(key);
      }
    }
    for (const key of touched) get(scheme, key as (typeof keys)[number]).records.push(s);
  }
  const enrolled = (scheme: Scheme, d: (typeof keys)[number]) =>
    roster.filter((r) => r.chronic === (scheme === 'chronic-disease') && (d === 'total' || r.conditions === d || r.conditions === 'both')).reduce((a, r) => a + r.n, 0);
  const rows: Record<string, string | number>[] = [];
  const zh = { hypertension: '高血压', diabetes: '糖尿病', total: '小计' };
  let benefiting = 0;
  for (const { key: scheme, zh: schemeZh } of SCHEMES) {
    for (const d of keys) {
      const a = data.get(`${scheme}/${d}`) ?? acc();
      // Benefiting: a person whose net fund payment in the period is above zero (a full reversal cancels it).
      const people = [...a.fundByPerson.values()].filter((v) => v.greaterThan(0)).length;
      if (d === 'total') benefiting += people;
      // Counted as every report counts (core/reports/counts.ts); a reversal in the period undoes its sale's count.
      const c = countSettlements(a.records.some((r) => r.kind !== 'sale') ? withOriginals(a.records, settlements) : a.records);
      rows.push({ scheme: schemeZh, disease: zh[d], enrolled: enrolled(scheme, d), benefiting: people, settlements: c.settlements, visits: c.visits, reversals: c.reversals, cost: fen(a.cost), inScope: fen(a.inScope), fund: fen(a.fund) });
    }
  }
  return {
    benefiting,
    table: {
      id: 'statistics',
      title: 'Two-disease population: benefits by scheme and disease',
      titleZh: '“两病”人群待遇享受情况统计（分类统计）',
      columns: [
        text('scheme', 'scheme', '保障类别'),
        text('disease', 'disease', '病种'),
        int('enrolled', 'patients under the scheme', '保障对象人数'),
        int('benefiting', 'people benefiting', '待遇享受人数'),
        int('settlements', 'settlements (fully reversed excluded)', '结算笔数'),
        int('visits', 'visits (patient-days)', '结算人次'),
        int('reversals', 'reversals (shown apart)', '退费笔数'),
        money('cost', 'medical cost', '医疗费用'),
        money('inScope', 'costs reimbursed (in scope)', '报销费用'),
        money('fund', 'fund paid', '基金支付'),
      ],
      rows,
    },
  };
}
