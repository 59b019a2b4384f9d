// Every amount has an upper bound a counter can meet; a refusal names the field in English and Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuoteRequestSchema } from '../../core/contract/quote.ts';
import { CatalogRowSchema } from '../../core/contract/catalog.ts';
import { exceedsMax } from '../../core/contract/fields.ts';
import { line, request } from '../helpers/quote.ts';

function issues(input: unknown) {
  const r = QuoteRequestSchema.safeParse(input);
  assert.equal(r.success, false);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, zh: (i as { params?: { zh?: string } }).params?.zh }));
}

test('a quantity of 99999999999999999999 is refused, naming the quantity', () => {
  const found = issues(request({ lines: [line({ quantity: '99999999999999999999' })] }));
  assert.ok(found.some((i) => i.path === 'lines.0.quantity' && /quantity must be at most 10000/.test(i.message) && /数量不能超过 10000/.test(i.zh ?? '')), JSON.stringify(found));
});

test('limits are inclusive: 10,000 packages and ¥100,000 pass; one more is refused', () => {
  assert.equal(QuoteRequestSchema.safeParse(request({ lines: [line({ quantity: '10000', price: '1' })] })).success, true);
  assert.equal(QuoteRequestSchema.safeParse(request({ lines: [line({ quantity: '1', price: '100000.000000' })] })).success, true);
  assert.ok(issues(request({ lines: [line({ quantity: '10000.0001' })] })).some((i) => i.path === 'lines.0.quantity'));
  const p = issues(request({ lines: [line({ price: '100000.01' })] }));
  assert.ok(p.some((i) => i.path === 'lines.0.price' && /单价不能超过/.test(i.zh ?? '')), JSON.stringify(p));
});

test('a sale total over ¥1,000,000 is refused even when each line is within bounds', () => {
  const lines = Array.from({ length: 11 }, (_, k) => line({ id: `l${k}`, price: '100000', quantity: '1' }));
  const found = issues(request({ lines }));
  assert.ok(found.some((i) => i.path === 'lines' && /sale total/.test(i.message) && /本单合计金额不能超过 1000000/.test(i.zh ?? '')), JSON.stringify(found));
  assert.equal(QuoteRequestSchema.safeParse(request({ lines: lines.slice(0, 10) })).success, true);
});

test('a catalog price of 10^20 is refused with the field named', () => {
  const r = CatalogRowSchema.safeParse({ code: 'XC08CAA001A001010101001', generic_name: '氨氯地平', retail_price: '99999999999999999999' });
  assert.equal(r.success, false);
  if (!r.success) assert.match(JSON.stringify(r.error.issues), /retail_price/);
  assert.equal(CatalogRowSchema.safeParse({ code: 'XC08CAA001A001010101001', generic_name: '氨氯地平', retail_price: '100000' }).success, true);
});

test('exceedsMax compares decimal text without floats', () => {
  for (const [t, m, want] of [['10000', '10000', false], ['010000', '10000', false], ['10000.0', '10000', false], ['10000.01', '10000', true], ['9999.9999', '10000', false], ['20000', '10000', true], ['0', '10000', false]] as const) {
    assert.equal(exceedsMax(t, m), want, t);
  }
});
