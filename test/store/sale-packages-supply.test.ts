// Two defects at the counter, through the service on a real database: 1.5 boxes were accepted
// for a drug the catalog sells in whole packages only, and the supply check ran only when the
// prescription's days were typed. Now a part package needs the catalog's 可拆零 flag (and must
// still come to whole tablets), and a line without days is counted from the catalog's usual
// daily dose (常用日剂量), so a refill too early is caught (鄂州医保发〔2022〕76号 附件3 注意2:
// 上一次剩余用药量不超过15日（含）内方可配取; the region's figure is policy data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { FIXTURE_REGIONS, drugBarcode, drugCode, seedFixture } from '../../core/app/fixture.ts';
import { importCatalogText } from '../../core/import/catalog.ts';
import { getCatalogItem } from '../../core/store/catalog.ts';

const LC = FIXTURE_REGIONS.lincang;
let clock = new Date('2026-03-10T02:00:00Z');

function counter(): { db: DB; s: CounterService } {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-pack-')));
  seedFixture(db, 'lincang');
  return { db, s: new CounterService({ db, now: () => clock }) };
}

/** Sets catalog facts of fixture drug n through the importer (a partial row updates the item). */
function catalogFacts(db: DB, n: number, facts: Record<string, string>): void {
  const r = importCatalogText(db, JSON.stringify([{ code: drugCode(n), generic_name: getCatalogItem(db, drugCode(n))!.generic_name, ...facts }]));
  assert.equal(r.rejected, 0, JSON.stringify(r));
}

async function refused(p: Promise<unknown>, path: string, code: string, zh: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InputError, String(e));
    const hit = e.problems.find((x) => x.path === path);
    assert.ok(hit, `a problem at ${path}: ${JSON.stringify(e.problems)}`);
    assert.equal(hit.code, code);
    assert.match(hit.messageZh, zh);
    return true;
  });
}

test('1.5 boxes of a drug sold in whole packages is refused naming the line quantity; 2 boxes are accepted', async () => {
  const { s } = counter();
  await refused(s.call('quote', { patient: LC.eligible, lines: [{ code: drugBarcode(1), quantity: '1.5' }] }), 'lines.0.quantity', 'WHOLE_PACKAGES_ONLY', /不可拆零.*整/);
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  await refused(s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [{ code: drugBarcode(1), quantity: '1.5' }] }), 'lines.0.quantity', 'WHOLE_PACKAGES_ONLY', /不可拆零/);
  const q = await s.call('quote', { patient: LC.eligible, lines: [{ code: drugBarcode(1), quantity: '2' }] });
  assert.equal(q.total, '12.60');
});

test('a drug the catalog allows to split (可拆零) sells half a box of 28 (14 tablets), but not 0.3 box (8.4 tablets)', async () => {
  const { db, s } = counter();
  catalogFacts(db, 1, { split_pack: '是' });
  assert.equal(getCatalogItem(db, drugCode(1))!.split_pack, true);
  const q = await s.call('quote', { patient: LC.eligible, lines: [{ code: drugBarcode(1), quantity: '0.5' }] });
  assert.equal(q.total, '3.15');
  await refused(s.call('quote', { patient: LC.eligible, lines: [{ code: drugBarcode(1), quantity: '0.3' }] }), 'lines.0.quantity', 'WHOLE_PACKAGES_ONLY', /整片|整数/);
});

test('without days typed, the supply check counts days from the catalog usual daily dose and blocks a refill too early', async () => {
  const { db, s } = counter();
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  const line = [{ code: drugBarcode(5), quantity: '1' }]; // 硝苯地平缓释片 20mg×30片
  // No usual dose in the catalog: nothing to count days from, no check (as before).
  clock = new Date('2026-03-10T02:00:00Z');
  const before = await s.call('quote', { patient: LC.eligible, lines: line });
  assert.equal(before.supply, null);
  catalogFacts(db, 5, { usual_daily_dose: '1' });
  assert.equal(getCatalogItem(db, drugCode(5))!.usual_daily_dose, '1');
  const first = await s.call('quote', { patient: LC.eligible, lines: line });
  assert.notEqual(first.supply, null, 'the check ran without days typed');
  assert.equal(first.blocked, false);
  assert.ok(first.lines[0]!.explain.some((t) => /按常用日剂量.*30天/.test(t)), JSON.stringify(first.lines[0]!.explain));
  await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: line });
  // Five days later 25 of the 30 days are left (more than 15): a refill is blocked, again without days typed.
  clock = new Date('2026-03-15T02:00:00Z');
  const again = await s.call('quote', { patient: LC.eligible, lines: line });
  assert.equal(again.blocked, true);
  assert.deepEqual(again.lines[0]!.blockedBy, ['EARLY_REFILL']);
  assert.ok(again.lines[0]!.warnings.some((w) => /剩余25天用药量/.test(w.message)), JSON.stringify(again.lines[0]!.warnings));
  // Typed days win over the usual dose: 1 box for 60 days (half a tablet a day) is recorded as such.
  clock = new Date('2026-05-01T02:00:00Z');
  const typed = await s.call('quote', { patient: LC.eligible, lines: [{ ...line[0]!, days: 60 }] });
  assert.equal(typed.blocked, false);
  assert.ok(!typed.lines[0]!.explain.some((t) => /按常用日剂量/.test(t)));
});

test('the catalog import refuses a usual daily dose that is not a positive number, naming the field', () => {
  const { db } = counter();
  const r = importCatalogText(db, JSON.stringify([{ code: drugCode(5), generic_name: '硝苯地平缓释片', usual_daily_dose: '0' }]));
  assert.equal(r.rejected, 1);
});
