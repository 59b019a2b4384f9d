// The reports the bureaus ask for, built from the database for one month and rendered in any
// format. Read-only: a report never writes (except capitation, which has its own command).
import type { DB } from '../store/db.ts';
import { InputError } from '../contract/problems.ts';
import { Decimal, fen } from '../money/decimal.ts';
import { monthRange, isMonth } from '../supervision/dates.ts';
import { overridesBetween } from '../store/supervision.ts';
import { getStatement } from '../store/capitation.ts';
import { capGroups, filedInPeriod, fundByMonth, institutionName, outboxCounts, rosterCounts, settlementFacts, sitePolicy, variancesBetween, type RosterCount } from '../store/reports.ts';
import { loadPolicyBook, policyCap, type PolicyBook } from '../policy/index.ts';
import { INSTITUTION_COLUMNS, monthlyTable, type HeadCounts } from './monthly.ts';
import { statisticsTable } from './statistics.ts';
import { int, money, text, type ReportDoc } from './model.ts';
import { COUNTS_NOTE, countSettlements } from './counts.ts';
import { OUTBOX_STATUS_ZH } from '../sale/read.ts';
import type { SettlementFact } from '../store/reports.ts';

/** The platform's amount fields as the bureau names them (the variance report shows words, not field codes). */
const VARIANCE_FIELD_ZH: Record<string, string> = {
  medfee_sumamt: '医疗费总额',
  fund_pay_sumamt: '基金支付总额',
  psn_part_amt: '个人负担总额',
  inscp_scp_amt: '符合政策范围金额',
  det_item_fee_sumamt: '明细项目费用总额',
  total: '医疗费',
  fund: '基金支付',
  patient_pay: '个人负担',
  in_scope: '符合政策范围金额',
};

/** 结算笔数 / 结算人次 / 退费笔数, counted one way for every report (core/reports/counts.ts). */
function countsSummary(settlements: readonly SettlementFact[]): Record<string, number> {
  const c = countSettlements(settlements);
  return { 结算笔数: c.settlements, 结算人次: c.visits, 退费笔数: c.reversals };
}

export * from './model.ts';
export { monthlyTable, lineDisease, institutionColumn, INSTITUTION_COLUMNS } from './monthly.ts';
export { statisticsTable, schemeOf } from './statistics.ts';
export { countSettlements, fullyReversedSales, COUNTS_NOTE, type SettlementCounts } from './counts.ts';
export { render, toCsv, toXlsx, toHtml, toPdf, chartSvg, findChromium, FORMATS, type Format } from './render.ts';

export const REPORT_NAMES = ['monthly-residents', 'monthly-employees', 'people', 'statistics', 'variances', 'overrides', 'capitation'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export const REPORT_SUMMARIES: Record<ReportName, string> = {
  'monthly-residents': 'seed 003 附件4: residents (390) by disease and institution level',
  'monthly-employees': 'seed 003 附件5: employees (310) by disease and institution level',
  people: 'seed 003 附件6: people under hypertension / diabetes management, as of the month end',
  statistics: 'seed 000 §二.(五).12: people benefiting, costs and fund paid by scheme and disease',
  variances: 'local split against the platform’s, per settlement and line; upload states',
  overrides: 'supervision blocks overridden by an operator, with the written reason',
  capitation: 'seed 001 §三.(二): the stored capitation statement of the month',
};

function bad(path: string, code: string, message: string, messageZh: string): never {
  throw new InputError(code, message, messageZh, [{ path, code, message, messageZh }]);
}

export function isReportName(name: string): name is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(name);
}

/** The scheme's population: patients under 门诊慢特病 benefits have left it (seed 003 §二.(一).4, seed 000 §二.(二).4). */
function headCounts(counts: RosterCount[], insutype: string): HeadCounts {
  const mine = counts.filter((c) => c.insutype === insutype && !c.chronic);
  const sumOf = (pred: (c: RosterCount) => boolean) => mine.filter(pred).reduce((a, c) => a + c.n, 0);
  return {
    hypertension: sumOf((c) => c.conditions !== 'diabetes'),
    diabetes: sumOf((c) => c.conditions !== 'hypertension'),
    total: sumOf(() => true),
  };
}

function filedCounts(db: DB, first: string, last: string, insutype: string): HeadCounts {
  const facts = filedInPeriod(db, first, last).filter((f) => f.insutype === insutype);
  const ht = new Set<string>(), dm = new Set<string>(), all = new Set<string>();
  for (const f of facts) {
    if (f.diseases.includes('hypertension')) ht.add(f.psnNo);
    if (f.diseases.includes('diabetes')) dm.add(f.psnNo);
    all.add(f.psnNo);
  }
  return { hypertension: ht.size, diabetes: dm.size, total: all.size };
}

/**
 * What the fund would pay at most in a year if every patient of the scheme used their whole cap
 * (Σ annual caps under the site's policy), or null when the policy leaves caps to the site.
 */
export function capTotal(db: DB, first: string, last: string, book: PolicyBook): { policy: string; amount: Decimal; patients: number } | null {
  const policy = sitePolicy(db);
  if (!policy) return null;
  let version;
  try {
    version = book.resolve(policy, last).version;
  } catch {
    return null;
  }
  if (version.cap.kind === 'supplied') return null;
  let amount = new Decimal(0);
  let patients = 0;
  for (const g of capGroups(db, first, last)) {
    const insurance = g.insutype === '310' ? 'employee' : 'resident';
    if (!version.eligibility.insurance.includes(insurance)) continue;
    const cap = policyCap(version, {
      insurance,
      conditions: g.conditions === 'both' ? ['hypertension', 'diabetes'] : [g.conditions],
      managementClass: g.managementClass,
      otherChronicDiseases: g.otherChronicDiseases,
      chronicDiseaseSince: null,
      designatedInstitution: null,
    });
    if (!cap) continue;
    amount = amount.plus(cap.amount.times(g.n));
    patients += g.n;
  }
  return { policy, amount, patients };
}

export function buildReport(db: DB, name: string, month: string, now: Date = new Date(), options: { book?: PolicyBook } = {}): ReportDoc {
  if (!isReportName(name)) bad('name', 'UNKNOWN_REPORT', `unknown report ${JSON.stringify(name)}; reports: ${REPORT_NAMES.join(', ')}`, `未知的报表 ${name}`);
  if (!isMonth(month)) bad('month', 'INVALID_MONTH', `--month must be yyyy-MM, got ${JSON.stringify(month)}`, '月份格式应为 yyyy-MM');
  const { first, last } = monthRange(month);
  const base = { name, period: { month, from: first, to: last }, institution: institutionName(db), generatedAt: now.toISOString() };

  if (name === 'monthly-residents' || name === 'monthly-employees') {
    const residents = name === 'monthly-residents';
    const insutype = residents ? '390' : '310';
    const settlements = settlementFacts(db, first, last).filter((s) => s.insutype === insutype);
    const { table, totals, unattributed } = monthlyTable({ settlements, insured: headCounts(rosterCounts(db, first, last), insutype), filed: filedCounts(db, first, last, insutype) });
    const totalRow = table.rows[2]!;
    return {
      ...base,
      title: residents ? 'Residents’ insurance: two-disease monthly report' : 'Employees’ insurance: two-disease monthly report',
      titleZh: residents ? '城乡居民医保“两病”门诊用药保障和健康管理月报表' : '城镇职工医保“两病”门诊用药保障和健康管理月报表',
      tables: [table],
      summary: { 医疗费合计: totals.cost, 报销额合计: totals.fund, ...countsSummary(settlements) },
      notes: [
        '参保人数：本月末名单中已标识且本月内有效的该险种“两病”患者（已享受门诊慢特病待遇者除外）；备案人数：本月新标识（含本机构柜台备案）及变更备案新增该病种的人数。同患两病者在两行各计一次，合计行按人计一次。',
        '费用按药品类别归属病种（降压药→高血压，降糖药→糖尿病），其他项目按患者所患病种；同患两病者的其他项目只计入合计。退费冲减原结算所在月份。',
        COUNTS_NOTE,
        ...(new Decimal(unattributed.cost).isZero() ? [] : [`其中只计入合计、未归属单一病种的费用 ${unattributed.cost} 元，报销额 ${unattributed.fund} 元。`]),
      ],
      chart: {
        title: 'Medical cost and reimbursement by institution level',
        titleZh: '各级机构医疗费与报销额',
        categories: INSTITUTION_COLUMNS.map((c) => c.zh),
        series: [
          { name: '医疗费', values: INSTITUTION_COLUMNS.map((c) => String(totalRow[`${c.key}Cost`])) },
          { name: '报销额', values: INSTITUTION_COLUMNS.map((c) => String(totalRow[`${c.key}Fund`])) },
        ],
      },
    };
  }

  if (name === 'people') {
    // seed 003 附件6 参保人员“两病”情况统计表: one row per reporting unit (this counter), both schemes.
    const counts = rosterCounts(db, first, last);
    const n = (pred: (c: RosterCount) => boolean) => counts.filter(pred).reduce((a, c) => a + c.n, 0);
    const row = {
      no: 1,
      unit: base.institution.name ?? base.institution.code ?? '本机构',
      hypertension: n((c) => c.conditions !== 'diabetes'),
      diabetes: n((c) => c.conditions !== 'hypertension'),
      total: n(() => true),
    };
    return {
      ...base,
      title: 'Insured people with hypertension or diabetes',
      titleZh: '参保人员“两病”情况统计表',
      tables: [
        {
          id: 'people',
          title: 'People under management',
          titleZh: '参保人员“两病”情况统计表',
          columns: [int('no', 'no.', '序号'), text('unit', 'reporting unit', '填报单位'), int('hypertension', 'hypertension (people)', '纳入“高血压”管理人员情况统计（人数）'), int('diabetes', 'diabetes (people)', '纳入“糖尿病”管理人员情况统计（人数）'), int('total', 'total (people)', '总计')],
          rows: [row, { no: '', unit: '合计', hypertension: row.hypertension, diabetes: row.diabetes, total: row.total }],
        },
      ],
      summary: { 高血压: row.hypertension, 糖尿病: row.diabetes, 总计: row.total },
      notes: ['本月末名单中已标识且本月内有效的“两病”患者（含已享受门诊慢特病待遇者）；同患两病者在高血压、糖尿病两列各计一次，总计按人计一次。'],
    };
  }

  if (name === 'statistics') {
    const settlements = settlementFacts(db, first, last);
    const { table, benefiting } = statisticsTable(settlements, rosterCounts(db, first, last));
    const year = month.slice(0, 4);
    const perMonth = new Map<string, Decimal>();
    for (const r of fundByMonth(db, year)) if (r.month <= month) perMonth.set(r.month, (perMonth.get(r.month) ?? new Decimal(0)).plus(r.fund));
    const months = Array.from({ length: Number(month.slice(5)) }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
    const fundTotal = settlements.reduce((a, s) => a.plus(s.fund), new Decimal(0));
    const caps = capTotal(db, first, last, options.book ?? loadPolicyBook());
    return {
      ...base,
      title: 'Two-disease statistics',
      titleZh: '“两病”门诊用药保障情况统计',
      tables: [table],
      summary: {
        待遇享受人数: benefiting,
        基金支付合计: fen(fundTotal),
        ...countsSummary(settlements),
        本年累计基金支付: fen([...perMonth.values()].reduce((a, v) => a.plus(v), new Decimal(0))),
        ...(caps ? { 年度支付限额合计: fen(caps.amount), 限额覆盖人数: caps.patients } : {}),
      },
      notes: [
        '依据《临沧市复制推广楚雄州高血压糖尿病门诊用药保障和健康管理机制改革试点经验工作方案》（临医保联发〔2024〕27号）二、（五）12：对享受“两病”用药专项保障、门诊慢特病待遇政策的“两病”人群分类统计待遇享受人数、报销费用、基金支付。',
        '待遇享受人数：本期基金净支付大于零的人数；报销费用：进入报销的政策范围内费用。门诊慢特病待遇：结算日已享受门诊慢特病待遇的患者。',
        COUNTS_NOTE,
      ],
      chart: {
        title: 'Fund paid per month against the caps',
        titleZh: `${year}年各月基金支付${caps ? '与年度支付限额月均' : ''}`,
        categories: months.map((m) => `${Number(m.slice(5))}月`),
        series: [{ name: '基金支付', values: months.map((m) => fen(perMonth.get(m) ?? new Decimal(0))) }],
        // The caps read as a monthly line: Σ annual caps ÷ 12, what the fund would pay at most in an average month.
        ...(caps && caps.amount.greaterThan(0) ? { reference: { label: '限额月均（年度支付限额合计÷12）', value: fen(caps.amount.dividedBy(12)) } } : {}),
      },
    };
  }

  if (name === 'variances') {
    const rows = variancesBetween(db, first, last);
    const uploads = outboxCounts(db, first, last);
    const fundDiff = rows.filter((r) => r.scope === 'settlement' && r.field === 'fund_pay_sumamt').reduce((a, r) => a.plus(r.difference), new Decimal(0));
    return {
      ...base,
      title: 'Local and platform variances',
      titleZh: '本地结算与医保平台差异',
      tables: [
        {
          id: 'variances',
          title: 'Variances',
          titleZh: '差异明细',
          columns: [text('date', 'date', '结算日期'), text('receiptNo', 'receipt', '单据号'), text('scope', 'scope', '范围'), text('lineRef', 'line', '明细'), text('field', 'field', '字段'), money('local', 'local', '本地'), money('platform', 'platform', '平台'), money('difference', 'difference (platform − local)', '差额（平台−本地）')],
          rows: rows.map((r) => ({ date: r.date, receiptNo: r.receiptNo, scope: r.scope === 'settlement' ? '整单' : '明细', lineRef: r.lineRef, field: VARIANCE_FIELD_ZH[r.field] ?? r.field, local: r.local, platform: r.platform, difference: r.difference })),
        },
        {
          id: 'uploads',
          title: 'Upload states of the month’s records',
          titleZh: '本期结算上传状态',
          columns: [text('status', 'status', '状态'), int('count', 'records', '笔数')],
          rows: Object.entries(uploads).map(([status, count]) => ({ status: OUTBOX_STATUS_ZH[status as keyof typeof OUTBOX_STATUS_ZH] ?? '其他', count })),
        },
      ],
      summary: { 差异条数: rows.length, 涉及结算: new Set(rows.map((r) => r.settlementId)).size, 基金支付差额合计: fen(fundDiff) },
      notes: ['差异在平台确认后逐字段比较本地与平台金额生成；退费按整条结算链的净额比较。尚未上传或结果待确认的结算尚无平台金额。'],
    };
  }

  if (name === 'overrides') {
    const rows = overridesBetween(db, first, last);
    const RULE_ZH = { MAX_SUPPLY: '超量开药', EARLY_REFILL: '提前重复开药' } as const;
    return {
      ...base,
      title: 'Supervision overrides',
      titleZh: '监管拦截放行记录',
      tables: [
        {
          id: 'overrides',
          title: 'Overrides',
          titleZh: '放行明细',
          columns: [text('date', 'date', '日期'), text('psnNo', 'person no.', '人员编号'), text('drug', 'drug', '药品'), text('rule', 'rule', '拦截规则'), text('detail', 'detail', '拦截内容'), text('reason', 'reason', '放行理由'), text('operator', 'operator', '放行人'), text('settlement', 'settlement', '结算')],
          rows: rows.map((o) => ({
            date: o.serviceDate,
            psnNo: o.psnNo,
            drug: o.genericName,
            rule: RULE_ZH[o.rule],
            detail: o.rule === 'MAX_SUPPLY' ? `用药${String(o.finding.days)}天，上限${String(o.finding.maxDays)}天` : `剩余${String(o.finding.daysLeft)}天，${String(o.finding.allowedFrom)}起可配`,
            reason: o.reason,
            operator: `${o.operatorName}（${o.operatorRole === 'admin' ? '管理员' : '药师'}）`,
            settlement: o.settlementId ?? '未结算',
          })),
        },
      ],
      summary: { 放行次数: rows.length, 超量开药: rows.filter((r) => r.rule === 'MAX_SUPPLY').length, 提前重复开药: rows.filter((r) => r.rule === 'EARLY_REFILL').length },
      notes: ['依据：临医保联发〔2024〕27号 二、（五）11 严查超量开药、重复开药；鄂州医保发〔2022〕76号 附件3 慢性病用药连续处方注意2：上一次剩余用药量不超过15日（含）内方可配取。'],
    };
  }

  // capitation
  const code = base.institution.code;
  const statement = code ? getStatement(db, code, month) : null;
  return {
    ...base,
    title: 'Capitation statement',
    titleZh: '“两病”按人头付费月结算单',
    tables: [
      {
        id: 'capitation',
        title: 'Heads paid for',
        titleZh: '按人头付费明细',
        columns: [text('psnNo', 'person no.', '人员编号'), text('conditions', 'conditions', '病种'), money('hypertension', 'hypertension', '高血压'), money('diabetes', 'diabetes', '糖尿病'), money('amount', 'amount', '金额')],
        rows: (statement?.lines ?? []).map((l) => ({ psnNo: l.psnNo, conditions: { hypertension: '高血压', diabetes: '糖尿病', both: '高血压+糖尿病' }[l.conditions], hypertension: l.hypertension, diabetes: l.diabetes, amount: l.amount })),
      },
    ],
    summary: statement ? { 人数: statement.heads, 金额: statement.amount } : { 状态: '本月尚未生成结算单（npm run cli -- capitation --month）' },
    notes: ['依据重庆市《关于做好城乡居民高血压糖尿病门诊用药保障和健康管理的通知》三、（二）：高血压30元/人·月、糖尿病70元/人·月，按月结算、年终考核清算，当年中途选择的按实际月份计算。'],
  };
}
