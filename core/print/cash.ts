// The receipts of cash sales (core/cash): the self-pay receipt (自费结算单), and for a patient
// insured elsewhere the 垫付 claim receipt with what the insuring bureau needs to reimburse:
// institution, patient identity and place of insurance, date, every item with its national
// code, class and price, the total paid, the receipt number. Pure HTML, like ./templates.ts.
import type { CashSaleRecord } from '../cash/index.ts';
import { dateZh, esc, page, type Layout, type PrintInstitution, type Rendered } from './templates.ts';
import { maskCertno, maskName } from '../identity/mask.ts';

const INSURANCE_ZH = { resident: '城乡居民基本医疗保险', employee: '职工基本医疗保险' } as const;
const CONDITION_ZH = { hypertension: '高血压', diabetes: '糖尿病' } as const;
/** The document whose rule the claim follows (named, as a source is due on paper). */
export const OUT_OF_AREA_RULE =
  '《关于做好城乡居民高血压糖尿病门诊用药保障和健康管理的通知》：在异地非直接联网结算的定点医疗机构就医的，由参保人员先行垫付相关费用，再到参保地医保经办机构按规定报销。';

/** Where the platform settles 异地 directly (seed 001 §四): the insuring region's rules decide, through the platform. */
export const OUT_OF_AREA_DIRECT_RULE = '《关于做好城乡居民高血压糖尿病门诊用药保障和健康管理的通知》：在异地直接联网结算的定点医疗机构就医的，按异地就医规定执行。';

/** The parts every cash-sale receipt shares: heading, receipt facts, the items, the signature and footer. */
function frame(s: CashSaleRecord, inst: PrintInstitution & { level?: number | null }, title: string, person: string, rows: string, totals: string, notes: string, printedAt: string): string {
  return `
<h1>${esc(inst.name)}</h1>
<h2>${title}</h2>
<div class="meta">
  <span>票据号：<b>${esc(s.receiptNo)}</b></span>
  <span>就诊日期：${dateZh(s.date)}</span>
  <span>机构编码：${esc(inst.code)}</span>
  <span>${esc(inst.typeZh)}${inst.level ? `（${inst.level}级）` : ''}</span>
</div>
${person}
<table class="items"><thead><tr><th>项目</th><th class="num">数量</th><th class="num">单价</th><th class="num">金额</th></tr></thead><tbody>${rows}</tbody></table>
<hr>
<table class="totals">
${totals}
</table>
<hr>
<div class="notes">${notes}</div>
<div class="sign"><span>经办：${esc(s.operator.name)}</span><span>（机构盖章）</span></div>
<div class="muted">打印：${esc(printedAt.replace('T', ' ').slice(0, 19))}　流水：${esc(s.id)}</div>`;
}

const maskedPerson = (p: CashSaleRecord['person'], extra = '') =>
  `<div class="meta"><span>患者：${esc(maskName(p.name))}</span>${p.certno ? `<span>证件：${esc(maskCertno(p.certno))}</span>` : ''}${extra}</div>`;

export function renderCashReceipt(s: CashSaleRecord, inst: PrintInstitution & { level?: number | null }, layout: Layout, printedAt: string, o: { direct?: boolean } = {}): Rendered {
  const p = s.person;
  if (o.direct) {
    // An out-of-area sale the platform settles directly: no local two-disease rule applied; the platform's split is the one that counts.
    const rows = s.lines.map((l) => `<tr><td>${esc(l.name)}<div class="muted">医保编码 ${esc(l.code)}</div></td><td class="num">${esc(l.quantity)}</td><td class="num">${esc(l.price)}</td><td class="num">${esc(l.total)}</td></tr>`).join('');
    const person = maskedPerson(p, `<span>参保地区划：${esc(p.insuredRegion ?? '')}</span><span>险种：${p.insurance ? INSURANCE_ZH[p.insurance] : ''}</span>`);
    const totals = `  <tr><td>费用合计</td><td class="num">${esc(s.total)} 元</td></tr>
  <tr><td>医保基金支付</td><td class="num">由医保平台按参保地政策结算</td></tr>`;
    const notes = `本次为异地就医直接结算，不适用本地“两病”政策，不计入本地年度支付限额；基金支付与个人负担以医保平台结算结果为准。<br>${esc(OUT_OF_AREA_DIRECT_RULE)}`;
    return page(`异地就医直接结算单 ${s.receiptNo}`, layout, frame(s, inst, '异地就医直接结算单', person, rows, totals, notes, printedAt));
  }
  const claim = s.kind === 'out-of-area';
  const rows = s.lines
    .map(
      (l) =>
        `<tr><td>${esc(l.name)}${l.spec ? `<div class="muted">${esc(l.spec)}</div>` : ''}${claim ? `<div class="muted">医保编码 ${esc(l.code)}${l.drugClass ? ` · ${esc(l.drugClass)}类` : ''}${l.vbp ? ' · 集采' : ''}</div>` : ''}</td><td class="num">${esc(l.quantity)}</td><td class="num">${esc(l.price)}</td><td class="num">${esc(l.total)}</td></tr>`,
    )
    .join('');
  const person = claim
    ? `<table class="grid">
  <tr><td>姓名</td><td>${esc(p.name)}</td><td>身份证号</td><td>${esc(p.certno ?? '')}</td></tr>
  <tr><td>参保地区划</td><td>${esc(p.insuredRegion ?? '')}</td><td>险种</td><td>${p.insurance ? INSURANCE_ZH[p.insurance] : ''}</td></tr>
  <tr><td>病种</td><td colspan="3">${esc(p.conditions.map((c) => CONDITION_ZH[c]).join('、') || '未填写')}</td></tr>
</table>`
    : maskedPerson(p);
  const totals = `  <tr><td>费用合计</td><td class="num">${esc(s.total)} 元</td></tr>
  <tr><td>医保统筹支付</td><td class="num">0.00 元</td></tr>
  <tr class="big"><td>${claim ? '个人垫付' : '个人自费'}</td><td class="num">${esc(s.total)} 元</td></tr>`;
  const notes = claim
    ? `本次费用未经本地医保结算，由参保人全额垫付。参保人可凭本凭证、处方及发票到参保地医保经办机构申请报销。<br>${esc(OUT_OF_AREA_RULE)}`
    : `本单为自费，未使用医保统筹基金，不计入“两病”年度支付限额。${s.reason ? `<br>原因：${esc(s.reason)}` : ''}`;
  const title = claim ? '异地就医费用垫付凭证（供参保地医保经办机构报销）' : '自费结算单';
  return page(`${claim ? '垫付凭证' : '自费结算单'} ${s.receiptNo}`, layout, frame(s, inst, title, person, rows, totals, notes, printedAt));
}
