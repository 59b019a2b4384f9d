// The drug catalog: import (codes validated, lists by region and county), search by national
// code, own code, barcode, names and pinyin initials (FTS5), list membership by county.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { importCatalogText, pinyinWords } from '../../core/import/catalog.ts';
import { catalogLists, getCatalogItem, listing, searchCatalog } from '../../core/store/catalog.ts';
import { ean13 } from '../../core/import/synthetic.ts';

const open = (): DB => openDatabase(mkdtempSync(join(tmpdir(), 'lbc-data-catalog-')));
const AMLO = 'XC08CAA001A001010101001';
const METF = 'XA10BAE054A001010101445';
const ZCODE = 'ZA01AAA0001010100001';
const BAR = ean13('690123456789');

const CSV = [
  '医保药品代码,机构药品编码,条形码,通用名,商品名,剂型,规格,甲乙类,类别,集采,中选价格,医保支付标准,零售价,限制范围,谈判药品,两病目录区划',
  `${AMLO},YP001,${BAR},苯磺酸氨氯地平片,络活喜,片剂,5mg*28片,甲,降压,是,0.15,0.15,0.15,,否,530900`,
  `${METF},YP002,${ean13('690123456790')},盐酸二甲双胍片,格华止,片剂,0.5g*60片,甲,降糖,1,4.80,4.80,5.20,,0,530900;530921`,
  `${ZCODE},YP003,,复方丹参滴丸,,滴丸,27mg*180丸,乙,其他,否,,,26.00,限二线用药,是,`,
].join('\n');

test('catalog import with Chinese headers: flags, prices, lists; re-import unchanged', () => {
  const db = open();
  const r = importCatalogText(db, CSV);
  assert.deepEqual([r.inserted, r.rejected], [3, 0], JSON.stringify(r.rejections));
  const a = getCatalogItem(db, AMLO)!;
  assert.equal(a.generic_name, '苯磺酸氨氯地平片');
  assert.equal(a.vbp, true);
  assert.equal(a.vbp_price, '0.15');
  assert.equal(a.category, 'antihypertensive');
  assert.equal(a.drug_class, '甲');
  const z = getCatalogItem(db, 'YP003')!;
  assert.equal(z.code, ZCODE, 'found by own code; Z codes are 20 characters');
  assert.equal(z.restriction, '限二线用药');
  assert.equal(z.negotiated, true);
  assert.equal(getCatalogItem(db, BAR)!.code, AMLO, 'found by barcode');
  assert.deepEqual(catalogLists(db, METF).map((l) => l.region), ['530900', '530921']);
  assert.equal(importCatalogText(db, CSV).unchanged, 3);
  // A changed list membership is an update and replaces the lists.
  const changed = importCatalogText(db, ['code,lists', `${METF},530900`].join('\n'));
  assert.equal(changed.updated, 1);
  assert.deepEqual(catalogLists(db, METF).map((l) => l.region), ['530900']);
});

test('catalog rejections: national code shape (20/23 chars, X or Z), barcode, price, flag, class, VBP without price, lists', () => {
  const db = open();
  const header = 'code,generic_name,barcode,retail_price,vbp,vbp_price,drug_class,lists';
  const cases: [string, string, string][] = [
    ['AC08CAA001A001010101001,x,,,,,,', 'code', 'INVALID_DRUG_CODE'],
    ['XC08CAA001A00101010100,x,,,,,,', 'code', 'INVALID_DRUG_CODE'],
    ['XC08CAA001A001010101-01,x,,,,,,', 'code', 'INVALID_DRUG_CODE'],
    [`${AMLO},,,,,,,`, 'generic_name', 'REQUIRED'],
    [`${AMLO},x,12AB,,,,,`, 'barcode', 'INVALID_BARCODE'],
    [`${AMLO},x,,1.1234567,,,,`, 'retail_price', 'INVALID_PRICE'],
    [`${AMLO},x,,,maybe,,,`, 'vbp', 'INVALID_FLAG'],
    [`${AMLO},x,,,是,,,`, 'vbp_price', 'VBP_WITHOUT_PRICE'],
    [`${AMLO},x,,,,,丙,`, 'drug_class', 'INVALID_VALUE'],
    [`${AMLO},x,,,,,,5309`, 'lists', 'INVALID_REGION'],
  ];
  const r = importCatalogText(db, [header, ...cases.map((c) => c[0])].join('\n'));
  assert.equal(r.rejected, cases.length);
  cases.forEach(([, field, code], i) => {
    const found = r.rejections.find((x) => x.line === i + 2)!;
    assert.deepEqual([found.field, found.code], [field, code], JSON.stringify(found));
  });
  // Lower-case codes are normalised, 20-character Z codes accepted.
  assert.equal(importCatalogText(db, [header, `${ZCODE.toLowerCase()},丹参,,,,,,`].join('\n')).inserted, 1);
});

test('pinyin initials and full pinyin are computed at import (氨氯地平 → aldp)', () => {
  const words = pinyinWords('氨氯地平').split(' ');
  assert.deepEqual(words.slice(0, 2), ['aldp', 'anlvdiping']);
  assert.ok(words.includes('ldp') && words.includes('dp') && words.includes('diping'), 'later syllables too');
  assert.equal(pinyinWords('二甲双胍').split(' ')[0], 'ejsg');
  assert.ok(pinyinWords('苯磺酸氨氯地平片').split(' ').includes('aldpp'), 'a salt prefix does not hide the drug');
  assert.ok(pinyinWords('重组人胰岛素').startsWith('zzryds'), '重 read zhong in context (pinyin-pro, not per character)');
  assert.equal(pinyinWords('ABC'), 'abc');
});

test('search: pinyin initials, names (any substring), trade names, codes, own codes, barcodes', () => {
  const db = open();
  importCatalogText(db, CSV);
  const codes = (text: string, region?: string) => searchCatalog(db, text, region ? { region } : {}).map((h) => h.code);
  assert.deepEqual(codes('aldp'), [AMLO]);
  assert.deepEqual(codes('ALDP'), [AMLO], 'case-insensitive');
  assert.deepEqual(codes('anlv'), [AMLO], 'full pinyin prefix');
  assert.deepEqual(codes('ejsg'), [METF]);
  assert.deepEqual(codes('lhx'), [AMLO], 'trade name 络活喜 initials');
  assert.deepEqual(codes('地平'), [AMLO], 'a two-character substring');
  assert.deepEqual(codes('二甲双胍'), [METF]);
  assert.deepEqual(codes('格华止'), [METF]);
  assert.deepEqual(codes(AMLO), [AMLO]);
  assert.deepEqual(codes(AMLO.toLowerCase()), [AMLO]);
  assert.deepEqual(codes('XC08CAA'), [AMLO], 'national code prefix');
  assert.deepEqual(codes('YP002'), [METF]);
  assert.deepEqual(codes(BAR), [AMLO]);
  assert.deepEqual(codes('690123').sort(), [AMLO, METF].sort(), 'barcode prefix');
  assert.deepEqual(codes('胰岛素'), []);
  assert.deepEqual(codes('"; DROP TABLE catalog; --'), [], 'FTS syntax in the input is not syntax');
  assert.deepEqual(codes('   '), []);
  const hits = searchCatalog(db, 'aldp', { region: '530902' });
  assert.equal(hits[0]!.listed, true);
  assert.equal(hits[0]!.matched, 'pinyin');
});

test('list membership: a county with its own list decides there (seed 000 §二.(三).5); else the prefecture list', () => {
  const db = open();
  importCatalogText(db, CSV);
  // 凤庆县 530921 keeps its own list: only metformin is on it.
  assert.deepEqual(listing(db, METF, '530921'), { listed: true, list: '530921', paymentStandard: null });
  assert.equal(listing(db, AMLO, '530921').listed, false);
  // 临翔区 530902 has no list of its own: the prefecture's 530900 applies.
  assert.deepEqual(listing(db, AMLO, '530902'), { listed: true, list: '530900', paymentStandard: null });
  assert.equal(listing(db, ZCODE, '530902').listed, false);
  // Nowhere with a list: not listed, and it says no list was found.
  assert.deepEqual(listing(db, AMLO, '110101'), { listed: false, list: null, paymentStandard: null });
});

test('search stays in budget on a few thousand items (the 300,000-row figure is in the bench)', () => {
  const db = open();
  const lines = ['code,generic_name,trade_name,barcode'];
  for (let i = 0; i < 3000; i++) lines.push(`X${String(i).padStart(22, '0')},${['氨氯地平片', '二甲双胍片', '缬沙坦胶囊'][i % 3]},商品${i},${ean13(`69${String(i).padStart(10, '0')}`)}`);
  assert.equal(importCatalogText(db, lines.join('\n')).inserted, 3000);
  assert.equal(searchCatalog(db, 'aldp', { limit: 10 }).length, 10);
  assert.equal(searchCatalog(db, '双胍', { limit: 500 }).length, 200, 'the limit is capped at 200');
  assert.equal(searchCatalog(db, `X${String(42).padStart(22, '0')}`)[0]!.trade_name, '商品42');
});

test('catalog JSON import: booleans, numbers and list arrays; a delta row changes only its price', () => {
  const db = open();
  const rows = [{ code: AMLO, generic_name: '氨氯地平片', vbp: true, vbp_price: 0.15, retail_price: '0.18', negotiated: false, lists: ['530900', '530921'] }];
  const r = importCatalogText(db, JSON.stringify({ items: rows }), { format: 'json' });
  assert.equal(r.inserted, 1, JSON.stringify(r.rejections));
  const item = getCatalogItem(db, AMLO)!;
  assert.deepEqual([item.vbp, item.vbp_price, item.retail_price, item.negotiated], [true, '0.15', '0.18', false]);
  const delta = importCatalogText(db, JSON.stringify([{ code: AMLO, retail_price: '0.20' }]), { format: 'json' });
  assert.equal(delta.updated, 1);
  const after = getCatalogItem(db, AMLO)!;
  assert.deepEqual([after.retail_price, after.vbp_price, after.generic_name], ['0.20', '0.15', '氨氯地平片']);
  assert.deepEqual(catalogLists(db, AMLO).map((l) => l.region), ['530900', '530921'], 'lists untouched by a file without the column');
  assert.deepEqual(searchCatalog(db, 'aldp').map((h) => h.code), [AMLO], 'search index follows updates');
});

test('a catalog file price of 99999999999999999999 (or ¥100,000.01) is rejected naming the field; the stored price stays', () => {
  // Issue 13 reproduction 6: a catalog price of that size was accepted.
  const db = open();
  importCatalogText(db, `code,generic_name,retail_price\n${AMLO},氨氯地平,12.50\n`);
  for (const price of ['99999999999999999999', '100000.01']) {
    const r = importCatalogText(db, `code,generic_name,retail_price\n${AMLO},氨氯地平,${price}\n`);
    assert.deepEqual([r.updated, r.rejected, r.rejections[0]?.field, r.rejections[0]?.code], [0, 1, 'retail_price', 'PRICE_TOO_LARGE'], JSON.stringify(r.rejections));
    assert.match(r.rejections[0]!.messageZh, /不能超过 100000/);
  }
  assert.equal(getCatalogItem(db, AMLO)!.retail_price, '12.50');
  assert.equal(importCatalogText(db, `code,generic_name,retail_price\n${AMLO},氨氯地平,100000\n`).updated, 1, 'the bound is inclusive');
});
