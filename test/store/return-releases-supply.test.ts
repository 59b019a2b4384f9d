// A return gives the supply back: sell a drug with 30 days, return it, sell it again the same day
// — the refill rule must not count the returned boxes (issue 12: "剩余30天用药量" after a full return).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { quoteSale, settleSale } from '../../core/sale/index.ts';
import { reverse } from '../../core/settlement/reverse.ts';

const book = loadPolicyBook();
const L = FIXTURE_REGIONS.lincang;
const NOW = new Date('2026-03-10T02:00:00Z');
const DATE = '2026-03-10';
const operator = { id: 'yaoshi', name: '王药师', role: 'pharmacist' };

function seeded(): DB {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-return-supply-')));
  seedFixture(db, 'lincang');
  return db;
}

const sale = (quantity: string, days = 30) => ({ patient: L.eligible, date: DATE, lines: [{ code: drugBarcode(2), quantity, days }] });
const settle = (db: DB, quantity: string) => settleSale(db, book, sale(quantity), { operator, requestHash: null, now: NOW }).id;
const blocked = (db: DB) => quoteSale(db, book, sale('2')).blockedLines.size > 0;

test('a sale with 30 days blocks a second one the same day (the rule the return must undo)', () => {
  const db = seeded();
  settle(db, '2');
  assert.equal(blocked(db), true);
});

test('a full return frees the refill rule: the same drug sells again at once', () => {
  const db = seeded();
  const id = settle(db, '2');
  reverse(db, { settlementId: id, operator: { id: operator.id, name: operator.name }, reason: '患者退药' }, { now: NOW });
  assert.equal(blocked(db), false, 'the returned 30 days no longer count');
  assert.equal((db.prepare(`SELECT count(*) AS n FROM dispensing WHERE source = 'counter'`).get() as { n: number }).n, 0);
});

test('a partial return keeps only the kept lines supply', () => {
  const db = seeded();
  const id = settleSale(db, book, { patient: L.eligible, date: DATE, lines: [{ code: drugBarcode(1), quantity: '1', days: 28 }, { code: drugBarcode(2), quantity: '2', days: 30 }] }, { operator, requestHash: null, now: NOW }).id;
  reverse(db, { settlementId: id, lines: ['2'], operator: { id: operator.id, name: operator.name }, reason: '患者退药' }, { now: NOW });
  const left = db.prepare(`SELECT code FROM dispensing WHERE source = 'counter'`).all() as { code: string }[];
  assert.equal(left.length, 1, 'the first line is still dispensed');
  assert.equal(blocked(db), false, 'the returned line no longer blocks');
});
