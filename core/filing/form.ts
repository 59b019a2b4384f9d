// The qualification form (审定表, seed 003 附件2: 参保人员“两病”门诊用药保障审定表), printable HTML.
// It is a paper record for the bureau, so the ID number is printed in full (unlike screens and logs).
import type { ConditionName } from './contract.ts';

export interface FormData {
  regionName: string;
  institutionName: string;
  name: string;
  gender: '1' | '2' | '9' | null;
  birthDate: string | null;
  certno: string | null;
  address: string | null;
  insuredRegion: string | null;
  conditions: ConditionName[];
  history: string | null;
  diagnoses: { code: string; name: string }[];
  drugs: { genericName: string; usage: string | null }[];
  doctorName: string;
  date: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function ageOn(birthDate: string | null, date: string): number | null {
  if (!birthDate) return null;
  let age = Number(date.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (date.slice(5) < birthDate.slice(5)) age -= 1;
  return age;
}

const GENDER: Record<string, string> = { '1': '男', '2': '女', '9': '未说明' };

function ymd(date: string): string {
  return `${date.slice(0, 4)} 年 ${Number(date.slice(5, 7))} 月 ${Number(date.slice(8, 10))} 日`;
}

export function qualificationFormHtml(d: FormData): string {
  const e = (v: string | number | null | undefined) => escapeHtml(v === null || v === undefined ? '' : String(v));
  const box = (on: boolean) => (on ? '☑' : '□');
  const age = ageOn(d.birthDate, d.date);
  const diagnosis = [d.history ?? '', ...d.diagnoses.map((x) => `${x.name}（${x.code}）`)].filter(Boolean).join('；');
  const plan = d.drugs.map((x) => (x.usage ? `${x.genericName} ${x.usage}` : x.genericName)).join('；');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${e(d.regionName)}参保人员“两病”门诊用药保障审定表</title>
<style>
  @page { size: A4; margin: 18mm; }
  body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 14px; color: #000; }
  h1 { font-size: 20px; text-align: center; margin: 0 0 4px; }
  .sub { text-align: center; margin-bottom: 12px; font-size: 12px; }
  table { width: 100%; border-collapse: collapse; }
  td, th { border: 1px solid #000; padding: 6px 8px; vertical-align: top; }
  th { width: 6em; font-weight: normal; text-align: center; }
  .tall { height: 90px; }
  .sign { text-align: right; padding-top: 18px; }
  .blank { display: inline-block; width: 7em; border-bottom: 1px solid #000; }
</style></head>
<body>
<h1>${e(d.regionName)}参保人员“两病”门诊用药保障审定表</h1>
<div class="sub">填报机构：${e(d.institutionName)}</div>
<table>
  <tr><th>姓名</th><td>${e(d.name)}</td><th>性别</th><td>${e(d.gender ? GENDER[d.gender] : '')}</td><th>年龄</th><td>${e(age)}</td></tr>
  <tr><th>身份证号</th><td colspan="5">${e(d.certno)}</td></tr>
  <tr><th>家庭住址</th><td colspan="3">${e(d.address)}</td><th>参保地</th><td>${e(d.insuredRegion)}</td></tr>
  <tr><th>申报病种</th><td colspan="5">${box(d.conditions.includes('hypertension'))}高血压　${box(d.conditions.includes('diabetes'))}糖尿病</td></tr>
  <tr><th rowspan="2">专家意见</th><td colspan="5" class="tall">病史及诊断：${e(diagnosis)}<div class="sign">签字：<span class="blank"></span>（诊断医师：${e(d.doctorName)}）　　${ymd(d.date)}</div></td></tr>
  <tr><td colspan="5" class="tall">治疗方案：${e(plan)}<div class="sign">签字：<span class="blank"></span>（诊断医师：${e(d.doctorName)}）　　${ymd(d.date)}</div></td></tr>
  <tr><th>医院意见</th><td colspan="5" class="tall"><div class="sign">签章：　　　　　　　　年　　月　　日</div></td></tr>
</table>
</body></html>
`;
}
