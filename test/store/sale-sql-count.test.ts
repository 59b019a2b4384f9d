// How many SQL statements one 3-line settle through the service runs (issue 9: at most 20).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { countSql } from '../helpers/count-sql.ts';
import { ServiceRefusal } from '../../core/service/index.ts';

const NOW = new Date('2026-03-10T02:00:00Z');

test('a 3-line settle through CounterService.call runs at most 20 SQL statements, a 3-line quote at most 8 (issue 9; 97 before core/sale)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-count-'));
  const seedDb = openDatabase(dir);
  seedFixture(seedDb, 'lincang');
  seedDb.close();
  const db = openDatabase(dir);
  const counter = countSql(db);
  const s = new CounterService({ db, now: () => NOW });
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  const lines = [1, 2, 3].map((n) => ({ code: drugBarcode(n), quantity: '1', days: 28 }));
  // warm-up sale: first-use statements (schema checks, settings) do not count
  await s.call('settle', { session, requestId: crypto.randomUUID(), patient: FIXTURE_REGIONS.lincang.eligible, date: '2026-03-09', lines: [{ code: drugBarcode(1), quantity: '1' }] });
  counter.reset();
  const quote = await s.call('quote', { patient: FIXTURE_REGIONS.lincang.eligible, lines });
  const q = counter.count;
  if (process.env.SHOW_SQL) console.log(counter.log.join('\n'));
  counter.reset();
  const view = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: FIXTURE_REGIONS.lincang.eligible, lines });
  const n = counter.count;
  console.log(`SQL statements for one 3-line quote: ${q}, settle: ${n}`);
  if (process.env.SHOW_SQL) console.log(counter.log.join('\n'));
  assert.equal(quote.lines.length, 3);
  assert.equal(view.lines.length, 3);
  assert.equal(view.total, quote.total, 'the settle is the sale the quote priced');
  // What was written is all there: the lines, the dispensing of each line, the outbox messages (a clinic: 4 steps).
  assert.equal((db.prepare('SELECT count(*) AS n FROM settlement_line WHERE settlement_id = ?').get(view.id) as { n: number }).n, 3);
  assert.equal((db.prepare('SELECT count(*) AS n FROM dispensing WHERE settlement_id = ?').get(view.id) as { n: number }).n, 3);
  assert.equal((db.prepare('SELECT count(*) AS n FROM outbox_message m JOIN outbox o ON o.id = m.outbox_id WHERE o.settlement_id = ?').get(view.id) as { n: number }).n, 4);
  assert.ok(q <= 8, `expected at most 8 statements for a quote, ran ${q}`);
  assert.ok(n <= 20, `expected at most 20 statements, ran ${n}`);
});

test('an idempotency key is bound to its content: same body returns the first sale, a different body is refused', async () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-idem-')));
  seedFixture(db, 'lincang');
  const s = new CounterService({ db, now: () => NOW });
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  const requestId = crypto.randomUUID();
  const body = { requestId, patient: FIXTURE_REGIONS.lincang.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] };
  const first = await s.call('settle', { session, ...body });
  const again = await s.call('settle', { session, ...body });
  assert.equal(again.id, first.id);
  assert.equal(again.receiptNo, first.receiptNo);
  await assert.rejects(
    s.call('settle', { session, ...body, lines: [{ code: drugBarcode(1), quantity: '2' }] }),
    (e: unknown) => e instanceof ServiceRefusal && e.code === 'IDEMPOTENCY_CONFLICT' && e.message.includes(requestId) && e.problems.some((p) => p.path === 'requestId'),
  );
  const count = db.prepare('SELECT count(*) AS n FROM settlement').get() as { n: number };
  assert.equal(count.n, 1, 'the conflicting retry wrote nothing');
});

test('migration 80 adds settlement_operators.request_hash', () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-m80-')));
  const cols = (db.prepare('PRAGMA table_info(settlement_operators)').all() as { name: string }[]).map((c) => c.name);
  assert.ok(cols.includes('request_hash'));
});
