// The demo data: every entry of seed 000 附件2 is in the catalog (name, form, 甲/乙, 限二线用药,
// 谈判药品), prices are marked demo, codes are well-formed; the demo roster has valid ID numbers
// and covers every flag combination; the committed CSV files are what the generator writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DEMO_CATALOG_FILE, DEMO_DIR, DEMO_PATIENTS, DEMO_ROSTER_FILE, demoCatalogCsv, demoDrugs, demoPatientCertno, demoRosterCsv } from '../../core/demo/seed.ts';
import { DIABETES_LIST, HYPERTENSION_LIST } from '../../core/demo/list.ts';
import { isNationalDrugCode } from '../../core/contract/catalog.ts';
import { parseIdNumber } from '../../core/identity/idnumber.ts';

// 附件2 of seed 000 (the drug list) is kept beside the tests, so the check runs on every machine; where
// the seed itself sits next to the checkout (../shared/seeds), the kept copy must equal it.
const SEED_FILE = fileURLToPath(new URL('../../../shared/seeds/000_6b8c4c7400c044e1.txt', import.meta.url));
const APPENDIX_FILE = fileURLToPath(new URL('../fixtures/seed-000-appendix-2.txt', import.meta.url));
const APPENDIX = readFileSync(APPENDIX_FILE, 'utf8');

test('the committed demo files are exactly what the generator writes', () => {
  assert.equal(readFileSync(join(DEMO_DIR, DEMO_CATALOG_FILE), 'utf8'), demoCatalogCsv());
  assert.equal(readFileSync(join(DEMO_DIR, DEMO_ROSTER_FILE), 'utf8'), demoRosterCsv());
});

test('the kept copy of seed 000 附件2 is the seed\'s own text where the seed is at hand', { skip: existsSync(SEED_FILE) ? false : `seed file not found at ${SEED_FILE}; the kept copy is used` }, () => {
  const seed = readFileSync(SEED_FILE, 'utf8');
  assert.equal(APPENDIX, seed.slice(seed.indexOf('## 附件 2')));
});

test('seed 000 附件2: every generic name with its form, class and restriction is in the demo list', () => {
  const section = APPENDIX;
  // Each table row: [group]\tname\tform（class[, restriction]）
  const rows = section.split('\n').filter((l) => /（.*类.*）/.test(l) && l.includes('\t'));
  const entries = rows.flatMap((l) => {
    const cells = l.split('\t');
    const name = cells[cells.length - 2]!.trim();
    return cells[cells.length - 1]!.split(/、(?=[^、]*剂型)/).map((formText) => ({ name, formText: formText.trim() }));
  });
  const list = [...DIABETES_LIST, ...HYPERTENSION_LIST];
  assert.equal(list.length, entries.length, 'one demo item per printed name/form');
  for (const e of entries) {
    const form = e.formText.slice(0, e.formText.indexOf('（'));
    const item = list.find((x) => x.name === e.name && x.form === form);
    assert.ok(item, `${e.name} ${form}`);
    assert.ok(e.formText.includes(`${item.drugClass}类`), `${e.name}: class ${item.drugClass}`);
    assert.equal(item.restriction !== null, e.formText.includes('限二线用药'), `${e.name}: restriction`);
    assert.equal(item.negotiated, e.formText.includes('谈判药品'), `${e.name}: negotiated`);
  }
});

test('demo catalog: well-formed distinct codes and barcodes, demo prices marked, VBP items carry their price', () => {
  const drugs = demoDrugs();
  assert.equal(new Set(drugs.map((d) => d.code)).size, drugs.length);
  assert.equal(new Set(drugs.map((d) => d.barcode)).size, drugs.length);
  for (const d of drugs) {
    assert.ok(isNationalDrugCode(d.code), d.code);
    assert.equal(d.code.length, 23);
    if (d.vbp) assert.equal(d.vbpPrice, d.paymentStandard);
  }
  const csv = demoCatalogCsv();
  assert.ok(csv.split('\n').slice(1, -1).every((l) => l.includes('演示价格') && /,1,[^,]*演示价格/.test(l)), 'demo column 1 and the note on every row');
});

test('demo roster: valid GB 11643 numbers and every flag combination across five regions', () => {
  for (const p of DEMO_PATIENTS) assert.ok(parseIdNumber(demoPatientCertno(p), '2026-01-01').valid, p.name);
  const regions = new Set(DEMO_PATIENTS.map((p) => p.region.slice(0, 2) === '50' ? '50' : p.region.slice(0, 4)));
  assert.equal(regions.size, 5);
  const has = (f: (p: (typeof DEMO_PATIENTS)[number]) => boolean, what: string) => assert.ok(DEMO_PATIENTS.some(f), what);
  has((p) => /both|,/.test(p.conditions), 'both diseases');
  has((p) => p.management_class === 1, 'class 1');
  has((p) => p.management_class === 2, 'class 2');
  has((p) => !!p.chronic_disease_since, 'chronic-disease since');
  has((p) => p.insutype === '310', 'employee');
  has((p) => !!p.stopped, 'stopped');
  has((p) => !!p.designated_institution, 'designated institution');
  has((p) => !!p.capitation, 'capitation');
  has((p) => !!p.ec_token, 'e-voucher token');
  has((p) => !!p.pool, 'bureau pool usage');
  has((p) => (p.other_chronic_diseases ?? 0) > 0, 'other chronic diseases');
  has((p) => /M0[13]/.test(p.conditions), 'chronic-disease codes as conditions');
});
