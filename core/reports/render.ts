// Rendering a report: JSON, CSV (UTF-8 with BOM so Excel shows Chinese), XLSX (exceljs), HTML
// (tables and an SVG chart, printable) and PDF (the HTML printed by Chromium through
// playwright-core; a clear error when no Chromium is installed).
import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { Decimal } from '../money/decimal.ts';
import { InputError } from '../contract/problems.ts';
import type { BarChart, ReportDoc, ReportTable } from './model.ts';

export const FORMATS = ['json', 'csv', 'xlsx', 'html', 'pdf'] as const;
export type Format = (typeof FORMATS)[number];

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * A CSV cell. Text starting with = + - @ tab or CR is neutralised with a leading ' (OWASP's
 * CSV-injection rule) so a spreadsheet never runs it as a formula; a number in a numeric column
 * (money, counts: "-12.50") stays a number.
 */
export function csvCell(v: string | number | undefined, numeric = false): string {
  let s = v === undefined ? '' : String(v);
  if (!(numeric && NUMERIC.test(s)) && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(doc: ReportDoc): string {
  const out: string[] = [];
  out.push(csvCell(doc.titleZh));
  out.push([csvCell('期间'), csvCell(`${doc.period.from} 至 ${doc.period.to}`)].join(','));
  if (doc.institution.name) out.push([csvCell('填报单位'), csvCell(doc.institution.name)].join(','));
  for (const t of doc.tables) {
    out.push('');
    out.push(csvCell(t.titleZh));
    if (t.columns.some((c) => c.group)) out.push(t.columns.map((c) => csvCell(c.group ?? '')).join(','));
    out.push(t.columns.map((c) => csvCell(c.labelZh)).join(','));
    for (const r of t.rows) out.push(t.columns.map((c) => csvCell(r[c.key], c.type !== 'text')).join(','));
  }
  if (doc.notes.length) {
    out.push('');
    for (const n of doc.notes) out.push(csvCell(n));
  }
  return '\uFEFF' + out.join('\r\n') + '\r\n';
}

/** The sign-off line every bureau form ends with (鄂州医保发〔2022〕76号 附件4/5). */
export function signOff(doc: ReportDoc): string[] {
  return [`填报单位：${doc.institution.name ?? ''}`, '填报人：', '审核人：', '填报日期：'];
}

/**
 * XLSX as the bureau's form is laid out: A4 landscape, fitted to the page width; the title over
 * the whole table; a two-row header where a group heading (一级及以下医疗机构) spans its columns
 * and an ungrouped heading (疾病病种) spans both rows; notes; then the 填报单位 / 填报人 / 审核人 /
 * 填报日期 line.
 */
export async function toXlsx(doc: ReportDoc): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'liangbing-counter';
  wb.created = new Date(doc.generatedAt);
  const thin = { style: 'thin' as const };
  const border = { top: thin, left: thin, bottom: thin, right: thin };
  for (const t of doc.tables) {
    const ws = wb.addWorksheet(t.titleZh.replace(/[\\/?*[\]:]/g, '').slice(0, 31) || t.id, {
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true },
    });
    const n = t.columns.length;
    const title = ws.addRow([doc.titleZh]);
    title.font = { bold: true, size: 14 };
    title.alignment = { horizontal: 'center' };
    ws.mergeCells(title.number, 1, title.number, Math.max(1, n));
    const meta = ws.addRow([`期间：${doc.period.from} 至 ${doc.period.to}`]);
    ws.mergeCells(meta.number, 1, meta.number, Math.max(1, n));
    const grouped = t.columns.some((c) => c.group);
    const headerRows: number[] = [];
    if (grouped) {
      const top = ws.addRow(t.columns.map((c) => c.group ?? c.labelZh));
      const second = ws.addRow(t.columns.map((c) => (c.group ? c.labelZh : '')));
      headerRows.push(top.number, second.number);
      let start = 0;
      for (let i = 1; i <= n; i++) {
        const prev = t.columns[start]!.group;
        if (i === n || t.columns[i]!.group !== prev) {
          if (prev && i - start > 1) ws.mergeCells(top.number, start + 1, top.number, i);
          start = i;
        }
      }
      t.columns.forEach((c, i) => {
        if (!c.group) ws.mergeCells(top.number, i + 1, second.number, i + 1);
      });
    } else {
      headerRows.push(ws.addRow(t.columns.map((c) => c.labelZh)).number);
    }
    for (const r of headerRows) {
      const row = ws.getRow(r);
      row.font = { bold: true };
      for (let i = 1; i <= n; i++) {
        const cell = row.getCell(i);
        cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
        cell.border = border;
      }
    }
    for (const r of t.rows) {
      // Money goes in as a number (so the sheet can add it up) with a 2-decimal format; the
      // values are already rounded to the fen.
      const row = ws.addRow(t.columns.map((c) => (c.type === 'text' ? String(r[c.key] ?? '') : Number(r[c.key] ?? 0))));
      for (let i = 1; i <= n; i++) row.getCell(i).border = border;
    }
    t.columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      col.width = Math.max(10, [...c.labelZh].length * 2 + 2, c.type === 'text' ? 14 : 12);
      if (c.type === 'money') col.numFmt = '#,##0.00';
    });
    for (const note of doc.notes) {
      const row = ws.addRow([note]);
      ws.mergeCells(row.number, 1, row.number, Math.max(1, n));
      row.alignment = { wrapText: true, vertical: 'top' };
      row.height = Math.min(120, 16 * Math.ceil([...note].length / Math.max(20, n * 6)));
    }
    ws.addRow([]);
    // The sign-off spread over the width: each part starts a quarter of the columns along.
    const sign = signOff(doc);
    const cells: (string | null)[] = Array.from({ length: Math.max(n, sign.length) }, () => null);
    sign.forEach((text, k) => {
      cells[Math.floor((k * Math.max(n, sign.length)) / sign.length)] = text;
    });
    ws.addRow(cells).font = { bold: true };
    ws.pageSetup.printArea = `A1:${ws.getColumn(Math.max(1, n)).letter}${ws.rowCount}`;
  }
  const buf = await wb.xlsx.writeBuffer();
  return Buffer.from(buf as ArrayBuffer);
}

function esc(s: string | number | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function tableHtml(t: ReportTable): string {
  const grouped = t.columns.some((c) => c.group);
  let head = '';
  if (grouped) {
    const cells: string[] = [];
    for (let i = 0; i < t.columns.length; ) {
      const c = t.columns[i]!;
      if (!c.group) {
        cells.push(`<th rowspan="2">${esc(c.labelZh)}</th>`);
        i += 1;
        continue;
      }
      let j = i;
      while (j < t.columns.length && t.columns[j]!.group === c.group) j += 1;
      cells.push(`<th colspan="${j - i}">${esc(c.group)}</th>`);
      i = j;
    }
    head = `<tr>${cells.join('')}</tr><tr>${t.columns.filter((c) => c.group).map((c) => `<th>${esc(c.labelZh)}</th>`).join('')}</tr>`;
  } else head = `<tr>${t.columns.map((c) => `<th>${esc(c.labelZh)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${t.columns.map((c) => `<td class="${c.type}">${esc(r[c.key])}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${esc(t.titleZh)}</h2><table><thead>${head}</thead><tbody>${body || `<tr><td colspan="${t.columns.length}" class="empty">本期无数据</td></tr>`}</tbody></table>`;
}

/**
 * A value axis with round ticks: steps of 1, 2, 2.5 or 5 × 10ⁿ, about five of them, the top tick
 * at or above the largest value (so 0, 200, 400, 600, 800 for a largest bar of 720, not 0, 198, 396…).
 */
export function niceScale(maxValue: number, about = 5): { max: number; step: number; ticks: number[] } {
  if (!(maxValue > 0) || !Number.isFinite(maxValue)) return { max: 1, step: 0.25, ticks: [0, 0.25, 0.5, 0.75, 1] };
  const raw = maxValue / about;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const count = Math.ceil(maxValue / step - 1e-9);
  // Multiply, not add, so the ticks are exact multiples of the step (no 0.30000000000000004).
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { max: ticks[ticks.length - 1]!, step, ticks };
}

function tickLabel(v: number, step: number): string {
  // As many decimals as the step has (2.5 → one, 0.25 → two, 200 → none).
  return v.toFixed(Math.min(6, (String(step).split('.')[1] ?? '').length));
}

/** Grouped bars, one group per category, drawn to scale with the reference line if any. */
export function chartSvg(c: BarChart): string {
  const W = 720, H = 260, left = 70, bottom = 40, top = 30;
  const values = c.series.flatMap((s) => s.values.map((v) => new Decimal(v)));
  if (c.reference) values.push(new Decimal(c.reference.value));
  const maxV = values.reduce((m, v) => (v.greaterThan(m) ? v : m), new Decimal(0));
  const scale = niceScale(maxV.toNumber());
  const max = scale.max;
  const plotH = H - top - bottom;
  const groupW = (W - left - 10) / Math.max(1, c.categories.length);
  const barW = Math.max(4, (groupW * 0.8) / Math.max(1, c.series.length));
  const colors = ['#2f6db5', '#e08a1e', '#3a9a5b', '#9b59b6'];
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${esc(c.titleZh)}</text>`);
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${W - 10}" y2="${top + plotH}" stroke="#333"/>`);
  for (const v of scale.ticks) {
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="10">${tickLabel(v, scale.step)}</text>`);
    parts.push(`<line x1="${left}" y1="${y(v)}" x2="${W - 10}" y2="${y(v)}" stroke="#ddd"/>`);
  }
  c.categories.forEach((cat, i) => {
    const x0 = left + i * groupW + groupW * 0.1;
    c.series.forEach((s, k) => {
      const v = Number(s.values[i] ?? 0);
      const h = Math.max(0, (Math.max(0, v) / max) * plotH);
      parts.push(`<rect x="${x0 + k * barW}" y="${top + plotH - h}" width="${barW - 1}" height="${h}" fill="${colors[k % colors.length]}"><title>${esc(s.name)} ${esc(cat)}: ${esc(s.values[i])}</title></rect>`);
    });
    parts.push(`<text x="${x0 + (barW * c.series.length) / 2}" y="${top + plotH + 14}" text-anchor="middle" font-size="10">${esc(cat)}</text>`);
  });
  if (c.reference) {
    const ry = y(Number(c.reference.value));
    parts.push(`<line x1="${left}" y1="${ry}" x2="${W - 10}" y2="${ry}" stroke="#c0392b" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${W - 12}" y="${ry - 4}" text-anchor="end" font-size="10" fill="#c0392b">${esc(c.reference.label)}：${esc(c.reference.value)}</text>`);
  }
  c.series.forEach((s, k) => {
    parts.push(`<rect x="${left + k * 130}" y="${H - 14}" width="10" height="10" fill="${colors[k % colors.length]}"/><text x="${left + k * 130 + 14}" y="${H - 5}" font-size="11">${esc(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(c.titleZh)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

/** yyyy-MM-dd HH:mm in the machine's local time (the clerk's clock, not UTC). */
function localStamp(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function toHtml(doc: ReportDoc): string {
  const summary = Object.entries(doc.summary).map(([k, v]) => `<span><b>${esc(k)}</b> ${esc(v)}</span>`).join(' · ');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(doc.titleZh)} ${esc(doc.period.month)}</title>
<style>
  @page { size: A4 landscape; margin: 12mm; }
  body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 12px; color: #111; }
  h1 { font-size: 18px; text-align: center; margin: 0 0 4px; }
  h2 { font-size: 14px; margin: 14px 0 6px; }
  .meta { text-align: center; color: #444; margin-bottom: 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { border: 1px solid #555; padding: 3px 5px; }
  th { background: #f0f0f0; font-weight: 600; }
  td.money, td.int { text-align: right; font-variant-numeric: tabular-nums; }
  td.empty { text-align: center; color: #777; }
  .notes { color: #444; margin-top: 10px; }
  .sign { margin-top: 16px; display: flex; gap: 48px; }
  .summary { margin: 6px 0; }
</style></head>
<body>
<h1>${esc(doc.titleZh)}</h1>
<div class="meta">期间：${esc(doc.period.from)} 至 ${esc(doc.period.to)}${doc.institution.name ? `　填报单位：${esc(doc.institution.name)}` : ''}　生成时间：${esc(localStamp(doc.generatedAt))}</div>
${summary ? `<div class="summary">${summary}</div>` : ''}
${doc.chart ? chartSvg(doc.chart) : ''}
${doc.tables.map(tableHtml).join('\n')}
${doc.notes.length ? `<div class="notes">${doc.notes.map((n) => `<p>${esc(n)}</p>`).join('')}</div>` : ''}
<div class="sign">${signOff(doc).map((x) => `<span>${esc(x)}</span>`).join('')}</div>
</body></html>
`;
}

export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.LBC_CHROMIUM;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CHROMIUM_PATHS.find((p) => existsSync(p)) ?? null;
}

/** Prints the HTML with Chromium (headless). */
export async function toPdf(doc: ReportDoc, executablePath: string | null = findChromium()): Promise<Buffer> {
  if (!executablePath) {
    throw new InputError('NO_CHROMIUM', `PDF needs Chromium; none found at ${CHROMIUM_PATHS.join(', ')} (install it, e.g. apt-get install chromium, or set LBC_CHROMIUM); use --format html and print from a browser instead`, '生成 PDF 需要 Chromium 浏览器，未找到；请安装或改用 html 格式打印', [
      { path: 'format', code: 'NO_CHROMIUM', message: 'Chromium not found', messageZh: '未找到 Chromium' },
    ]);
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = await browser.newPage();
    await page.setContent(toHtml(doc), { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', landscape: true, printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}

export async function render(doc: ReportDoc, format: Format): Promise<Buffer> {
  switch (format) {
    case 'json':
      return Buffer.from(JSON.stringify(doc, null, 2) + '\n', 'utf8');
    case 'csv':
      return Buffer.from(toCsv(doc), 'utf8');
    case 'xlsx':
      return toXlsx(doc);
    case 'html':
      return Buffer.from(toHtml(doc), 'utf8');
    case 'pdf':
      return toPdf(doc);
  }
}
