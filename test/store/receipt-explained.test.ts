// The receipt says why each amount is what it is and whether the platform has it yet: each line
// its rate and what decided it (集采, over the payment standard, the cap left), the policy by the
// document's name (never a seed number), and 待上传 until the platform acknowledges the settlement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';

const LC = FIXTURE_REGIONS.lincang;

test('a receipt printed before the platform acknowledges says 待上传 and each line its rate and why; once acknowledged, no 待上传', async () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-receipt-')));
  seedFixture(db, 'lincang'); // no platform endpoint: the sale settles locally and waits in the outbox
  const s = new CounterService({ db, now: () => new Date('2026-03-10T02:00:00Z') });
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  // 氨氯地平片 (VBP, 6.30) and 缬沙坦胶囊 (32.50 over a 28.00 payment standard, 60%).
  const sale = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }, { code: drugBarcode(3), quantity: '1' }] });
  assert.notEqual(sale.outbox.state, 'acked');
  const { html } = await s.call('print', { session, document: 'receipt', settlementId: sale.id, layout: 'a5' });
  assert.match(html, /待上传/);
  assert.match(html, /报销 90%：集采中选药品；年度限额剩余 ¥\d+\.\d\d/);
  assert.match(html, /报销 60%：超支付标准部分自付 ¥4\.50/);
  assert.match(html, /依据临医保联发〔2024〕27号/);
  assert.doesNotMatch(html, /seed|§/);
  // The 80 mm roll carries the same sentence under each line.
  const roll = await s.call('print', { session, document: 'receipt', settlementId: sale.id, layout: '80mm' });
  assert.match(roll.html, /报销 60%：超支付标准部分自付 ¥4\.50/);
  assert.match(roll.html, /待上传/);

  db.prepare(`UPDATE outbox SET status = 'acked' WHERE settlement_id = ?`).run(sale.id);
  const after = await s.call('print', { session, document: 'receipt', settlementId: sale.id, layout: 'a5' });
  assert.doesNotMatch(after.html, /待上传/);
  assert.match(after.html, /报销 90%/);
});
