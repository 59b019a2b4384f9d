// Receipt numbers on a real SQLite file: without a terminal number they are PREFIX + day + 5 digits
// as always; a counter with a terminal number (several counters of one institution, numbers issued
// by the hub) puts it in the receipt, so two counters of one clinic never print the same number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../core/store/db.ts';
import { setTerminal } from '../../core/store/outbox.ts';
import { settleSale, tempDir } from '../helpers/settlement.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { isReceiptNo } from '../../core/contract/receipt.ts';

const op = { id: 'op02', name: '王收费' };
const line = { id: 'a', price: '6.30', quantity: '1', vbp: true, paymentStandard: '6.30' };

test('receipt numbers: two counters of one institution with terminal numbers 1 and 2 never share a number; each keeps its own daily sequence', () => {
  const a = openDatabase(tempDir('lbc-receipt-a-'));
  const b = openDatabase(tempDir('lbc-receipt-b-'));
  setTerminal(a, { terminalNo: 1, devNo: 'A' });
  setTerminal(b, { terminalNo: 2, devNo: 'B' });
  const fromA = [settleSale(a, { lines: [line] }), settleSale(a, { lines: [line] })].map((s) => s.receiptNo);
  const fromB = [settleSale(b, { lines: [line] })].map((s) => s.receiptNo);
  assert.match(fromA[0]!, /^S\d{8}-01-00001$/);
  assert.match(fromA[1]!, /^S\d{8}-01-00002$/);
  assert.match(fromB[0]!, /^S\d{8}-02-00001$/);
  assert.equal(new Set([...fromA, ...fromB]).size, 3);
  assert.ok([...fromA, ...fromB].every(isReceiptNo), 'the screen takes each as a receipt number (opens the sale for return)');
  a.close();
  b.close();
});

test('receipt numbers: without a terminal number the format is unchanged, and numbers given before a terminal was set do not disturb its sequence', () => {
  const db = openDatabase(tempDir('lbc-receipt-c-'));
  const first = settleSale(db, { lines: [line] });
  assert.match(first.receiptNo, /^S\d{8}00001$/);
  assert.ok(isReceiptNo(first.receiptNo));
  assert.ok(!isReceiptNo('530902195001010115') && !isReceiptNo('S2024080-01-00001'), 'an ID number or a garbled number is not a receipt');
  assert.match(settleSale(db, { lines: [line] }).receiptNo, /^S\d{8}00002$/);
  setTerminal(db, { terminalNo: 3, devNo: 'C' });
  assert.match(settleSale(db, { lines: [line] }).receiptNo, /^S\d{8}-03-00001$/);
  const ret = reverse(db, { settlementId: first.id, lines: ['a'], operator: op, reason: '退药' });
  assert.match(ret.receiptNo, /^T\d{8}-03-00001$/);
  setTerminal(db, { terminalNo: 0, devNo: 'C' });
  assert.match(settleSale(db, { lines: [line] }).receiptNo, /^S\d{8}00003$/, 'back to the plain sequence, after the plain numbers');
  db.close();
});
