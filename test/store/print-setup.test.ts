// Printing setup (issue 12 item 8): the printer offsets are kept with the printers through the
// one settings accessor and come back bounded; a test page is rendered for the chosen paper and
// recorded like any print (the second is copy 2); the offsets move the page the shell prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { seedFixture } from '../../core/app/fixture.ts';
import { getSetting } from '../../core/store/settings.ts';
import { printCount } from '../../core/store/counter.ts';
import { withOffsets } from '../../renderer/print.ts';

async function counter() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-print-')));
  seedFixture(db, 'lincang');
  const s = new CounterService({ db });
  const admin = (await s.call('signIn', { operatorId: 'admin', pin: '0000' })).session;
  return { db, s, admin };
}

test('printer names, paper per document and offsets are saved through the settings accessor and read back', async () => {
  const { db, s, admin } = await counter();
  const cur = (await s.call('getSettings', {})).settings;
  assert.deepEqual([cur.printers.offsetTopMm, cur.printers.offsetLeftMm], [0, 0]);
  const printers = { ...cur.printers, receipt: 'XP-80C', receiptLayout: '80mm' as const, prescription: 'HP LaserJet', prescriptionLayout: 'a5' as const, offsetTopMm: 2.5, offsetLeftMm: -1 };
  const out = await s.call('saveSettings', { session: admin, settings: { ...cur, printers } });
  assert.deepEqual(out.settings.printers, printers);
  assert.equal(getSetting(db, 'counter.printers')?.offsetTopMm, '2.5');
  await assert.rejects(s.call('saveSettings', { session: admin, settings: { ...cur, printers: { ...printers, offsetTopMm: 25 } } }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path.includes('offsetTopMm')));
});

test('a test page for each paper is rendered and recorded like any print', async () => {
  const { db, s, admin } = await counter();
  const a5 = await s.call('print', { session: admin, document: 'test-page', layout: 'a5' });
  assert.match(a5.html, /打印测试页/);
  assert.match(a5.html, /A5（宽 148 mm）/);
  assert.equal(a5.copy, 1);
  const roll = await s.call('print', { session: admin, document: 'test-page', layout: '80mm' });
  assert.equal(roll.copy, 2);
  assert.deepEqual(roll.pageSize, { widthMm: 80, heightMm: null });
  assert.equal(printCount(db, null, 'test-page'), 2);
});

test('withOffsets moves the page body by the offsets; none leaves the document as it was', () => {
  const html = '<!doctype html><html><head><title>x</title></head><body>a</body></html>';
  assert.equal(withOffsets(html, 0, 0), html);
  const moved = withOffsets(html, 2.5, -1);
  assert.match(moved, /<style>body\{position:relative;top:2.5mm;left:-1mm\}<\/style><\/head>/);
});
