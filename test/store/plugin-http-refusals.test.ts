// Hostile requests on the real loopback plugin API (issue 13 reproductions 6, 7 and 10): an
// amount beyond what a counter can meet is refused naming the field, before anything is priced or
// written; the same requestId with another body is a 409 naming the key, the same body returns the
// first sale; a malformed percent-escape anywhere in a path is a 4xx, never a 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type RunningCounter } from '../../core/app/counter.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { openDatabase } from '../../core/store/db.ts';
import { startFixtureCounter } from '../helpers/fixture-counter.ts';

let c: RunningCounter;
let dir: string;
let session: string;
const L = FIXTURE_REGIONS.lincang;

before(async () => {
  ({ c, dir } = await startFixtureCounter('lbc-http-refusals-'));
  session = (await call('signIn', { operatorId: 'yaoshi', pin: '1234' })).body.session;
  assert.ok(session);
});
after(async () => {
  await c.close();
});

async function call(method: string, body: unknown) {
  const res = await fetch(`${c.url}/v1/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function settlementCount(): number {
  const db = openDatabase(dir, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM settlement').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('a quantity of 99999999999999999999, or 10,001 packages, is refused with 400 naming lines.0.quantity; nothing is written', async () => {
  const before = settlementCount();
  for (const quantity of ['99999999999999999999', '10001', '10000.5']) {
    for (const method of ['quote', 'settle']) {
      const sale = { patient: L.eligible, lines: [{ code: drugBarcode(1), quantity }] };
      const r = await call(method, method === 'settle' ? { session, requestId: crypto.randomUUID(), ...sale } : sale);
      assert.equal(r.status, 400, `${method} ${quantity}: ${JSON.stringify(r.body)}`);
      const p = r.body.error.problems.find((x: { path: string }) => x.path === 'lines.0.quantity');
      assert.ok(p, `${method} ${quantity} names the quantity: ${JSON.stringify(r.body.error.problems)}`);
      assert.match(p.message, /at most 10000/);
      assert.match(p.messageZh, /数量不能超过 10000/);
    }
  }
  assert.equal(settlementCount(), before, 'no settlement was written');
  // The bound is inclusive, and a real sale still goes through.
  const ok = await call('quote', { patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '2' }] });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test('the same requestId: the same body returns the first sale; another body is a 409 naming the key, and writes nothing', async () => {
  const requestId = crypto.randomUUID();
  const body = { session, requestId, patient: L.eligible, lines: [{ code: drugBarcode(1), quantity: '1' }] };
  const first = await call('settle', body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const again = await call('settle', body);
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.body.id);
  const n = settlementCount();
  const other = await call('settle', { ...body, lines: [{ code: drugBarcode(1), quantity: '2' }] });
  assert.equal(other.status, 409, JSON.stringify(other.body));
  assert.equal(other.body.error.code, 'IDEMPOTENCY_CONFLICT');
  assert.ok(other.body.error.message.includes(requestId), other.body.error.message);
  assert.ok(other.body.error.problems.some((p: { path: string }) => p.path === 'requestId'));
  assert.match(other.body.error.messageZh, /请求编号/);
  assert.equal(settlementCount(), n, 'the conflicting retry wrote nothing');
});

test('malformed percent-escapes in API and screen paths answer 4xx, never 500 (API only: no screen served)', async () => {
  for (const p of ['/%', '/v1/%', '/v1/%E0%A4%A', '/v1/settle%zz', '/%ff%fe']) {
    const res = await fetch(`${c.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` }, body: '{}' });
    await res.text();
    assert.ok(res.status >= 400 && res.status < 500, `${p} answered ${res.status}`);
  }
});
