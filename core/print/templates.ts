// Printed documents, rendered as self-contained HTML from the immutable settlement record:
// the receipt (结算单), the chronic-disease continuous prescription (seed 003 附件3), the
// patient's drug list (一人一药单, seed 000 §二.(三).5) and the public list of covered drugs
// with prices (seed 002 §九). Two layouts: A5 sheets and 80 mm receipt rolls.
// Pure functions: no database, no DOM, no clock (the caller passes "printedAt").
import { Decimal, unitPrice } from '../money/decimal.ts';

export type Layout = 'a5' | '80mm';

export interface PageSize {
  widthMm: number;
  /** null: a continuous roll, as long as the content. */
  heightMm: number | null;
}

export const PAGE_SIZES: Record<Layout, PageSize> = {
  a5: { widthMm: 148, heightMm: 210 },
  '80mm': { widthMm: 80, heightMm: null },
};

export interface PrintInstitution {
  code: string;
  name: string;
  typeZh: string;
}

export interface PrintLine {
  lineId: string;
  /** 用法用量 and days of supply as recorded with the line (the continuous prescription prints them). */
  usage?: { dose: string; frequency: string; route: string } | null;
  days?: number | null;
  code: string;
  name: string;
  spec: string | null;
  quantity: string;
  unit?: string | null;
  price: string;
  total: string;
  fund: string;
  patient: string;
  vbp?: boolean;
  listed?: boolean;
  /** "报销 90%" / "不予报销" and what decided it (core/policy/explain). */
  rateZh?: string | null;
  explain?: string[];
}

export interface PrintSettlement {
  id: string;
  receiptNo: string;
  kind: 'sale' | 'reversal';
  reverses: string | null;
  createdAt: string;
  date: string;
  operator: { id: string; name: string; role: string };
  patient: { psnNo: string; nameMasked: string; certnoMasked: string; insuranceZh: string; conditionsZh: string };
  policy: { id: string; name: string; version: string };
  total: string;
  fund: string;
  patientPays: string;
  capLeft: string;
  lines: PrintLine[];
  /** The policy document settled under, by its name. */
  policyDocument?: string | null;
  /** Upload state: anything but 'acked' means the platform has not confirmed the settlement yet. */
  outbox?: { state: string };
  /** 应收/实收/找零 and the amount per method (a return: the refund per method); null when a host POS collected it. */
  payment?: PrintPayment | null;
  /** A return's written reason. */
  reason?: string | null;
  /** With a hub configured: whose figure of the year's used amount the sale was priced from (the group's, or this counter's only), as of when. */
  poolFigureZh?: string | null;
}

export interface PrintPayment {
  due: string;
  received: string;
  change: string;
  methods: { methodZh: string; amount: string }[];
}

/** The facts the continuous prescription needs beyond the settlement (seed 003 附件3). */
export interface PrescriptionFacts {
  /** The prescription is a medical document: the full name is printed on it. */
  name: string;
  gender: string;
  age: number | null;
  personTypeZh: string;
  outpatientNo: string;
  department: string;
  address: string;
  phone: string;
  diagnosis: string;
  doctor: string;
  /** 收费: the operator who took the payment. */
  cashier: string;
  dispenser: string;
  reviewer: string;
  consent: boolean;
  /** The first date the patient may refill on this prescription (the longest line's days less the rule's days left), or null without days. */
  nextRefill?: { date: string; daysLeft: number } | null;
}

const CONDITION_OF_CATEGORY: Record<string, string> = { antihypertensive: '高血压', antidiabetic: '糖尿病' };

/**
 * The diagnosis the form prints: the patient's conditions the dispensed drugs treat (a diabetes
 * drug is not dispensed under 高血压). A typed diagnosis is kept when every 两病 condition it names
 * is one the drugs treat; otherwise, or when empty, the conditions are named from the drugs.
 */
export function diagnosisFor(typed: string, categories: readonly (string | null)[], conditionsZh: readonly string[]): string {
  const treated = [...new Set(categories.flatMap((c) => (c && CONDITION_OF_CATEGORY[c] ? [CONDITION_OF_CATEGORY[c]!] : [])))];
  const ofPatient = treated.filter((c) => conditionsZh.includes(c));
  const derived = (ofPatient.length > 0 ? ofPatient : treated.length > 0 ? treated : [...conditionsZh]).join('；');
  const named = Object.values(CONDITION_OF_CATEGORY).filter((c) => typed.includes(c));
  if (typed.trim() && named.length > 0 && named.every((c) => treated.includes(c))) return typed.trim();
  if (typed.trim() && named.length === 0 && treated.length === 0) return typed.trim();
  return derived;
}

function usageText(l: PrintLine): string {
  const u = l.usage ? `用法：每次 ${l.usage.dose}，${l.usage.frequency}，${l.usage.route}` : '用法：';
  return `${u}${l.days ? `　共 ${l.days} 天` : ''}`;
}

export interface Rendered {
  html: string;
  pageSize: PageSize;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

function yuan(text: string): string {
  return new Decimal(text).toFixed(2);
}

/** "2026-11-24" → "2026 年 11 月 24 日" */
export function dateZh(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  return m ? `${m[1]} 年 ${Number(m[2])} 月 ${Number(m[3])} 日` : esc(isoDate);
}

function copyMark(copy: number): string {
  return copy > 1 ? `<div class="reprint">补打（第 ${copy - 1} 次重印）</div>` : '';
}

function baseCss(layout: Layout): string {
  const size = layout === 'a5' ? 'A5 portrait' : '80mm auto';
  const body = layout === 'a5' ? 'font-size: 11pt; padding: 0' : 'font-size: 9pt; width: 72mm; padding: 0 4mm';
  return `
@page { size: ${size}; margin: ${layout === 'a5' ? '10mm 10mm 12mm' : '3mm 0'}; }
* { box-sizing: border-box; }
html, body { margin: 0; }
body { font-family: "SimSun", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif; color: #000; ${body}; }
h1 { font-size: ${layout === 'a5' ? '15pt' : '11pt'}; text-align: center; margin: 0 0 2mm; letter-spacing: 1px; }
h2 { font-size: ${layout === 'a5' ? '11pt' : '9pt'}; text-align: center; margin: 0 0 3mm; font-weight: normal; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 1mm 1mm; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.grid td { border: 0.3mm solid #000; }
.items th { border-bottom: 0.3mm solid #000; }
.items td { border-bottom: 0.1mm dotted #666; }
.totals td { padding: 0.6mm 1mm; }
.totals .big td { font-size: 1.15em; font-weight: bold; }
.meta { display: flex; flex-wrap: wrap; gap: 0 4mm; margin-bottom: 2mm; }
.meta span { white-space: nowrap; }
.muted { color: #333; font-size: 0.9em; }
.notes { margin-top: 3mm; font-size: 0.92em; line-height: 1.5; }
.sign { display: flex; justify-content: space-between; margin-top: 4mm; gap: 3mm; flex-wrap: wrap; }
.sign span { min-width: 30%; }
.reprint { text-align: center; border: 0.4mm solid #000; margin: 0 0 2mm; font-weight: bold; }
.copy { page-break-after: always; break-after: page; }
.copy:last-child { page-break-after: auto; break-after: auto; }
.copyname { text-align: right; font-size: 0.9em; }
.rx { font-size: 1.6em; font-weight: bold; font-family: serif; }
.line { border-bottom: 0.3mm solid #000; display: inline-block; min-width: 22mm; }
hr { border: 0; border-top: 0.3mm dashed #000; margin: 2mm 0; }
`;
}

export function page(title: string, layout: Layout, body: string): Rendered {
  return {
    pageSize: PAGE_SIZES[layout],
    html: `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${baseCss(layout)}</style></head><body>${body}</body></html>`,
  };
}

/** 打印测试页: the paper's size and edges, so a site can check the printer and set the offsets. */
export function renderTestPage(inst: PrintInstitution, layout: Layout, printedAt: string, operator: string): Rendered {
  const size = PAGE_SIZES[layout];
  const body = `
<h1>${esc(inst.name)}</h1>
<h2>打印测试页</h2>
<div class="meta"><span>纸张：${layout === 'a5' ? 'A5' : '80 mm 小票'}（宽 ${size.widthMm} mm）</span><span>打印时间：${esc(printedAt)}</span><span>操作员：${esc(operator)}</span></div>
<div class="testbox" style="border:0.3mm solid #000;height:20mm;margin:2mm 0;display:flex;align-items:center;justify-content:center">四周边框应完整可见；如偏移，请在设置中调整上边距、左边距</div>
<table class="items"><tbody><tr><td>中文字符</td><td class="num">两病门诊用药保障</td></tr><tr><td>数字金额</td><td class="num">1234567890.00</td></tr></tbody></table>`;
  return page('打印测试页', layout, body);
}

/** 结算单: items, total, fund, patient, cap left, receipt number. */
/** A line's rate and why, as one printed sentence ("报销 90%：集采中选药品；年度限额剩余 ¥612.00"). */
function lineWhy(l: PrintLine): string {
  if (!l.rateZh) return '';
  return `${l.rateZh}${l.explain?.length ? `：${l.explain.join('；')}` : ''}`;
}

export function renderReceipt(s: PrintSettlement, inst: PrintInstitution, copy: number, layout: Layout, printedAt: string): Rendered {
  const reversal = s.kind === 'reversal';
  const rows = s.lines
    .map((l) => {
      const why = lineWhy(l);
      // A voucher counts the boxes that came back (the journal keeps them negative).
      const qty = reversal ? l.quantity.replace(/^-/, '') : l.quantity;
      return layout === 'a5'
        ? `<tr><td>${esc(l.name)}${l.spec ? `<div class="muted">${esc(l.spec)}</div>` : ''}${why ? `<div class="muted why">${esc(why)}</div>` : ''}</td><td class="num">${esc(qty)}</td><td class="num">${unitPrice(l.price)}</td><td class="num">${yuan(l.total)}</td><td class="num">${yuan(l.fund)}</td><td class="num">${yuan(l.patient)}</td></tr>`
        : `<tr><td colspan="3">${esc(l.name)} ${l.spec ? `<span class="muted">${esc(l.spec)}</span>` : ''}</td></tr><tr><td class="num">${esc(qty)} × ${unitPrice(l.price)}</td><td class="num">统筹 ${yuan(l.fund)}</td><td class="num">${yuan(l.total)}</td></tr>${why ? `<tr><td colspan="3" class="muted why">${esc(why)}</td></tr>` : ''}`;
    })
    .join('');
  // Settled at the counter but not yet confirmed by the platform (offline, or still queued).
  const pending = s.outbox !== undefined && s.outbox.state !== 'acked';
  const head =
    layout === 'a5'
      ? `<tr><th>项目</th><th class="num">${reversal ? '退回数量' : '数量'}</th><th class="num">单价</th><th class="num">${reversal ? '退费金额' : '金额'}</th><th class="num">${reversal ? '退回统筹' : '统筹支付'}</th><th class="num">${reversal ? '退还个人' : '个人支付'}</th></tr>`
      : `<tr><th colspan="2">项目${reversal ? '（退回数量 × 单价）' : ''}</th><th class="num">${reversal ? '退费金额' : '金额'}</th></tr>`;
  const body = `
${copyMark(copy)}
<h1>${esc(inst.name)}</h1>
<h2>${reversal ? '“两病”门诊用药退费凭证（退费单）' : '“两病”门诊用药结算单'}</h2>
${pending ? '<div class="reprint pending">待上传：已在本机结算，医保平台尚未确认，联网后自动上传</div>' : ''}
<div class="meta">
  <span>票据号：<b>${esc(s.receiptNo)}</b></span>
  <span>日期：${esc(s.date)}</span>
  <span>机构编码：${esc(inst.code)}</span>
</div>
<div class="meta">
  <span>患者：${esc(s.patient.nameMasked)}</span>
  <span>证件：${esc(s.patient.certnoMasked)}</span>
  <span>${esc(s.patient.insuranceZh)}</span>
  <span>病种：${esc(s.patient.conditionsZh)}</span>
</div>
${reversal && s.reverses ? `<div class="meta"><span>冲销原结算：${esc(s.reverses)}</span></div>` : ''}
<table class="items"><thead>${head}</thead><tbody>${rows}</tbody></table>
<hr>
<table class="totals">
  <tr><td>费用合计</td><td class="num">${yuan(s.total)} 元</td></tr>
  <tr><td>医保统筹支付</td><td class="num">${yuan(s.fund)} 元</td></tr>
  <tr class="big"><td>个人支付</td><td class="num">${yuan(s.patientPays)} 元</td></tr>
${reversal ? '' : `  <tr><td>年度限额剩余</td><td class="num">${yuan(s.capLeft)} 元</td></tr>\n`}</table>
${!reversal && s.poolFigureZh ? `<div class="muted pool-figure">${esc(s.poolFigureZh)}</div>` : ''}
${paymentBlock(s.payment ?? null, reversal)}
${reversal && s.reason ? `<div class="meta"><span>退费原因：${esc(s.reason)}</span></div>` : ''}
${reversal ? `<div class="sign"><span>退费经办人：</span><span>患者签字：</span></div>` : ''}
<hr>
<div class="muted">政策：${esc(s.policy.name)}两病门诊用药保障${s.policyDocument ? `，依据${esc(s.policyDocument)}` : ''}（${esc(s.policy.version)} 起施行）</div>
<div class="muted">经办：${esc(s.operator.name)}　打印：${esc(printedAt.replace('T', ' ').slice(0, 19))}</div>
<div class="muted">结算流水：${esc(s.id)}</div>
<div class="muted">请妥善保管本单据，退药退费凭此单办理。</div>`;
  return page(`结算单 ${s.receiptNo}`, layout, body);
}

/** 应收/实收/找零 per method; on a refund voucher, 应退 and how it goes back. */
function paymentBlock(p: PrintPayment | null, refund: boolean): string {
  if (!p) return '';
  const abs = (v: string) => yuan(new Decimal(v).abs().toString());
  const methods = p.methods.map((m) => `<tr><td>　${esc(m.methodZh)}</td><td class="num">${abs(m.amount)} 元</td></tr>`).join('');
  if (refund) return `<hr><table class="totals"><tr class="big"><td>应退个人支付</td><td class="num">${abs(p.due)} 元</td></tr><tr><td>退款方式</td><td></td></tr>${methods}</table>`;
  return `<hr><table class="totals"><tr><td>应收</td><td class="num">${yuan(p.due)} 元</td></tr><tr><td>实收</td><td class="num">${yuan(p.received)} 元</td></tr>${methods}<tr class="big"><td>找零</td><td class="num">${yuan(p.change)} 元</td></tr></table>`;
}

export interface ShiftStatementPrint {
  operatorName: string;
  roleZh: string;
  from: string;
  to: string;
  sales: { count: number; total: string; fund: string; patient: string };
  returns: { count: number; total: string; fund: string; patient: string };
  byMethod: { methodZh: string; received: string; refunded: string; net: string }[];
  /** Cash collected minus change and cash refunds: what the drawer should hold beyond its float. */
  cashExpected: string;
  /** Records settled without a recorded payment (a host POS collected them). */
  unrecorded: number;
}

/** 交班单: one operator's shift, sales and returns, by payment method, cash expected in the drawer, with 交班人/接班人 signature lines. */
export function renderShiftStatement(st: ShiftStatementPrint, inst: PrintInstitution, layout: Layout, printedAt: string): Rendered {
  const t = (x: string) => x.replace('T', ' ').slice(0, 16);
  const methods = st.byMethod.map((m) => `<tr><td>${esc(m.methodZh)}</td><td class="num">${yuan(m.received)}</td><td class="num">${yuan(m.refunded)}</td><td class="num">${yuan(m.net)}</td></tr>`).join('');
  const body = `
<h1>${esc(inst.name)}</h1>
<h2>收款员交班单</h2>
<div class="meta"><span>收款员：${esc(st.operatorName)}（${esc(st.roleZh)}）</span></div>
<div class="meta"><span>班次：${esc(t(st.from))} 至 ${esc(t(st.to))}</span></div>
<table class="totals">
  <tr><td>销售 ${st.sales.count} 笔</td><td class="num">费用 ${yuan(st.sales.total)} 元</td></tr>
  <tr><td>　其中医保统筹</td><td class="num">${yuan(st.sales.fund)} 元</td></tr>
  <tr><td>　其中个人支付</td><td class="num">${yuan(st.sales.patient)} 元</td></tr>
  <tr><td>退费 ${st.returns.count} 笔</td><td class="num">费用 ${yuan(st.returns.total)} 元</td></tr>
  <tr><td>　其中个人支付退回</td><td class="num">${yuan(st.returns.patient)} 元</td></tr>
</table>
<hr>
<table class="items"><thead><tr><th>支付方式</th><th class="num">收款</th><th class="num">退款</th><th class="num">净额</th></tr></thead><tbody>${methods}</tbody></table>
<hr>
<table class="totals"><tr class="big"><td>应有现金（不含备用金）</td><td class="num">${yuan(st.cashExpected)} 元</td></tr></table>
${st.unrecorded > 0 ? `<div class="muted">另有 ${st.unrecorded} 笔由收银系统收款，未计入上表。</div>` : ''}
<div class="sign"><span>交班人：</span><span>接班人：</span><span>时间：</span></div>
<div class="muted">打印：${esc(printedAt.replace('T', ' ').slice(0, 19))}</div>`;
  return page(`交班单 ${st.operatorName}`, layout, body);
}

/** The three notes of seed 003 附件3, word for word. */
export const PRESCRIPTION_NOTES = [
  '1.本处方根据有关规定由患者自愿申请开具；',
  '2.本处方须在上一次剩余用药量不超过15日（含）内凭本处方配取；',
  '3.期间如果病情发生变化，请及时就医。',
] as const;
export const PRESCRIPTION_CONSENT = '本人已充分了解慢性病连续处方政策及注意事项，要求开具慢性病连续处方。';
export const PRESCRIPTION_COPIES = '（本处方一式二份，一份由开具处方的医疗机构留存，一份交由患者。）';
export const PRESCRIPTION_COPY_NAMES = ['医疗机构留存联', '患者联'] as const;

/**
 * 慢性病用药连续（外配）处方, seed 003 附件3: 姓名 性别 年龄 人员类别 / 门诊号 科别 / 地址 电话 /
 * 临床诊断 / 开方日期 / 医生 / 收费 配药药师 / (机构)盖章 复核药师 / the three notes / the consent line
 * with 处方申请人 / one copy for the institution and one for the patient.
 */
export function renderPrescription(s: PrintSettlement, inst: PrintInstitution, rx: PrescriptionFacts, copy: number, layout: Layout): Rendered {
  const items = s.lines
    .map(
      (l, i) =>
        `<tr><td>${i + 1}. ${esc(l.name)}${l.spec ? ` ${esc(l.spec)}` : ''}<div class="usage">${esc(usageText(l))}</div></td><td class="num">× ${esc(l.quantity)}${l.unit ? ` ${esc(l.unit)}` : ''}</td></tr>`,
    )
    .join('');
  const one = (copyName: string) => `
<section class="copy">
${copyMark(copy)}
<div class="copyname">${esc(copyName)}</div>
<h1>（${esc(inst.name)}）慢性病用药连续（外配）处方</h1>
<table class="grid">
  <tr><td>姓名：${esc(rx.name)}</td><td>性别：${esc(rx.gender)}</td><td>年龄：${rx.age == null ? '' : esc(rx.age)}</td><td>人员类别：${esc(rx.personTypeZh)}</td></tr>
  <tr><td colspan="2">门诊号：${esc(rx.outpatientNo)}</td><td colspan="2">科别：${esc(rx.department)}</td></tr>
  <tr><td colspan="2">地址：${esc(rx.address)}</td><td colspan="2">电话：${esc(rx.phone)}</td></tr>
  <tr><td colspan="4">临床诊断：${esc(rx.diagnosis)}</td></tr>
  <tr><td colspan="4">开方日期：${dateZh(s.date)}</td></tr>
</table>
<div class="rx">Rp.</div>
<table class="items"><tbody>${items}</tbody></table>
<div class="sign"><span>医　生：<span class="line">${esc(rx.doctor)}</span></span></div>
<div class="sign"><span>收　费：<span class="line">${esc(rx.cashier)}</span></span><span>配药药师：<span class="line">${esc(rx.dispenser)}</span></span></div>
<div class="sign"><span>（机构）盖　章：<span class="line">&nbsp;</span></span><span>复核药师：<span class="line">${esc(rx.reviewer)}</span></span></div>
${rx.nextRefill ? `<div class="notes refill">下次取药：${dateZh(rx.nextRefill.date)}起（上一次剩余用药量不超过${rx.nextRefill.daysLeft}日时）可凭本处方再次配药</div>` : ''}
<div class="notes">注意：${PRESCRIPTION_NOTES.map((n) => `<div>${esc(n)}</div>`).join('')}</div>
<div class="notes">${esc(PRESCRIPTION_CONSENT)}　处方申请人：<span class="line">${rx.consent ? esc(rx.name) : '&nbsp;'}</span></div>
<div class="notes muted">${esc(PRESCRIPTION_COPIES)}</div>
<div class="muted">票据号 ${esc(s.receiptNo)}　机构编码 ${esc(inst.code)}</div>
</section>`;
  return page(`慢性病用药连续（外配）处方 ${s.receiptNo}`, layout, PRESCRIPTION_COPY_NAMES.map(one).join(''));
}

export interface DrugListEntry {
  name: string;
  spec: string | null;
  vbp: boolean;
  lastDate: string;
  quantity: string;
  times: number;
}

/** 一人一药单 (seed 000 §二.(三).5): the drugs this patient takes, from the settlements made here. */
export function renderDrugList(
  patient: { name: string; certnoMasked: string; insuranceZh: string; conditionsZh: string; managementClass: number | null },
  inst: PrintInstitution,
  entries: DrugListEntry[],
  copy: number,
  layout: Layout,
  printedAt: string,
): Rendered {
  const rows = entries
    .map(
      (e, i) =>
        `<tr><td>${i + 1}</td><td>${esc(e.name)}${e.vbp ? '（集采）' : ''}${e.spec ? `<div class="muted">${esc(e.spec)}</div>` : ''}</td><td class="num">${esc(e.lastDate)}</td><td class="num">${esc(e.quantity)}</td><td class="num">${e.times}</td></tr>`,
    )
    .join('');
  const body = `
${copyMark(copy)}
<h1>${esc(inst.name)}</h1>
<h2>“两病”患者一人一药单</h2>
<div class="meta"><span>姓名：${esc(patient.name)}</span><span>证件：${esc(patient.certnoMasked)}</span><span>${esc(patient.insuranceZh)}</span></div>
<div class="meta"><span>病种：${esc(patient.conditionsZh)}</span>${patient.managementClass ? `<span>管理类别：${patient.managementClass === 1 ? '一类' : '二类'}</span>` : ''}</div>
<table class="items"><thead><tr><th>#</th><th>药品</th><th class="num">最近取药</th><th class="num">累计数量</th><th class="num">次数</th></tr></thead><tbody>${rows || '<tr><td colspan="5">本机构尚无该患者的两病用药记录</td></tr>'}</tbody></table>
<div class="notes muted">依据：以县为单位建立“两病”常用药品清单，根据患者病情及用药情况建立“两病”患者“一人一药单”。优先使用集采中选药品。</div>
<div class="muted">打印：${esc(printedAt.replace('T', ' ').slice(0, 19))}</div>`;
  return page('一人一药单', layout, body);
}

export interface PublicListEntry {
  code: string;
  name: string;
  form: string | null;
  spec: string | null;
  manufacturer: string | null;
  grade: string | null;
  price: string;
  paymentStandard: string | null;
  vbp: boolean;
  restriction: string | null;
}

/** Public notice of the drugs the scheme covers here, with prices (seed 002 §九: 公示…药品品种信息及价格). */
export function renderPublicList(inst: PrintInstitution, policyName: string, entries: PublicListEntry[], layout: Layout, printedAt: string, demoPrices: boolean): Rendered {
  const rows = entries
    .map(
      (e, i) =>
        `<tr><td>${i + 1}</td><td>${esc(e.name)}${e.vbp ? ' <b>集采</b>' : ''}${e.restriction ? `<div class="muted">${esc(e.restriction)}</div>` : ''}</td><td>${esc(e.form ?? '')}${e.spec ? ` ${esc(e.spec)}` : ''}</td><td>${esc(e.grade ?? '')}</td><td class="num">${unitPrice(e.price)}</td><td class="num">${e.paymentStandard ? unitPrice(e.paymentStandard) : '—'}</td></tr>`,
    )
    .join('');
  const body = `
<h1>${esc(inst.name)}</h1>
<h2>“两病”门诊用药保障范围药品品种及价格公示</h2>
<div class="meta"><span>执行政策：${esc(policyName)}</span><span>共 ${entries.length} 个品种</span><span>公示日期：${esc(printedAt.slice(0, 10))}</span></div>
${demoPrices ? '<div class="reprint">演示数据：价格仅供演示，非真实价格</div>' : ''}
<table class="items"><thead><tr><th>#</th><th>药品名称</th><th>剂型规格</th><th>甲/乙</th><th class="num">零售价</th><th class="num">支付标准</th></tr></thead><tbody>${rows}</tbody></table>
<div class="notes muted">价格单位：元。医保支付标准以内部分按“两病”政策比例支付，超出部分由个人负担。</div>`;
  return page('两病用药公示', layout, body);
}

/** What the 日结 statement prints: the day's reconciliation groups and the journal's anchor. */
export interface DayCloseStatement {
  date: string;
  balanced: boolean;
  groups: { insutype: string; clrType: string; medfee: string; fund: string; acct: string; count: number; balanced: boolean; description: string | null }[];
  /** The journal's head when the day was closed: the last record's number and its hash. */
  anchor: { seq: number; hash: string };
}

const INSUTYPE_ZH: Record<string, string> = { '310': '职工基本医疗保险', '390': '城乡居民基本医疗保险' };
const CLR_TYPE_ZH: Record<string, string> = { '11': '门诊', '41': '药店购药' };

/** A hash in groups of four so it can be read aloud and compared by eye. */
export function groupedHash(hash: string): string {
  return (hash.match(/.{1,4}/g) ?? []).join(' ');
}

/**
 * 日结单: the totals reconciled with the platform and the journal's check code at close time.
 * The code is kept on paper (outside the computer): a later `journal verify` compares it with
 * the journal, so records removed from the end after this day show.
 */
export function renderDayCloseStatement(inst: PrintInstitution, s: DayCloseStatement, layout: Layout, printedAt: string): Rendered {
  const rows = s.groups
    .map(
      (g) =>
        `<tr><td>${esc(INSUTYPE_ZH[g.insutype] ?? g.insutype)}</td><td>${esc(CLR_TYPE_ZH[g.clrType] ?? g.clrType)}</td><td class="num">${g.count}</td><td class="num">${yuan(g.medfee)}</td><td class="num">${yuan(g.fund)}</td><td class="num">${yuan(g.acct)}</td><td>${g.balanced ? '平账' : `不平${g.description ? `：${esc(g.description)}` : ''}`}</td></tr>`,
    )
    .join('');
  const body = `
<h1>${esc(inst.name)}</h1>
<h2>医保结算日结单</h2>
<div class="meta"><span>结算日期：${dateZh(s.date)}</span><span>机构编号：${esc(inst.code)}</span><span>打印时间：${esc(printedAt)}</span></div>
${s.groups.length ? `<table class="items"><thead><tr><th>险种</th><th>清算类别</th><th class="num">笔数</th><th class="num">医疗费总额</th><th class="num">基金支付</th><th class="num">个人账户</th><th>对账结果</th></tr></thead><tbody>${rows}</tbody></table>` : '<div>当日无医保结算。</div>'}
<div class="notes">对账结论：${s.balanced ? '全部平账' : '存在不平账，请核对'}</div>
<hr>
<div class="notes">结算日志校验码（截至第 ${s.anchor.seq} 笔记录）：<div><b>${esc(groupedHash(s.anchor.hash))}</b></div>
<div class="muted">请妥善保存本单。日后核查结算日志时，校验码应与本单一致；不一致说明结算记录在日结后被改动或删除。</div></div>
<div class="sign"><span>经办人：</span><span>复核人：</span></div>`;
  return page('医保结算日结单', layout, body);
}
