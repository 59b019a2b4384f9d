// Platform replies, generated: a good reply of each transaction with its fields dropped, retyped
// or replaced (amounts as odd strings or numbers, infcode as "", " 0", "00", true, null…), cut,
// doubled, deeply nested or not JSON at all; and the same bodies served by a real HTTP server
// with odd status codes or a connection cut mid-body. The reply parser and the client never
// throw; an answer whose shape is not one the interface defines is never a reply (the outcome
// is unknown: ambiguous); an accepted success carries well-formed amounts and ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { outputSchemaFor, parseReply } from '../../core/platform/envelope.ts';
import { PlatformClient } from '../../core/platform/client.ts';
import { fuzzParams } from './params.ts';

type Action = 'register' | 'visit' | 'fees' | 'settle' | 'reverse' | 'cancel' | 'query' | 'stmt';
const ACTIONS: Action[] = ['register', 'visit', 'fees', 'settle', 'reverse', 'cancel', 'query', 'stmt'];
/** The transaction each reply answers (the parser picks its output schema by infno). */
const INFNO = { register: '2201', visit: '2203', fees: '2204', settle: '2102', reverse: '2103', cancel: '2601', query: '5203', stmt: '3201' } as const;
const schemaOf = (a: Action) => outputSchemaFor(INFNO[a]);

const setlinfo = { setl_id: 'ST20260309000000000001', mdtrt_id: 'MD1', psn_no: 'P1', medfee_sumamt: '75.20', fund_pay_sumamt: 39.78, psn_part_amt: '35.42', acct_pay: 0, psn_cash_pay: '35.42', medins_setl_id: '01a2' };
const OUTPUTS: Record<Action, unknown> = {
  register: { data: { mdtrt_id: 'MD1', psn_no: 'P1', ipt_otp_no: 'O1' } },
  visit: {},
  fees: { result: [{ feedetl_sn: 'S1001', det_item_fee_sumamt: '12.60', cnt: 2, pric: '6.30' }] },
  settle: { setlinfo, setldetail: [{ fund_pay_type: '390100', fund_payamt: '39.78' }], detlcutinfo: [] },
  reverse: { setlinfo: { ...setlinfo, medfee_sumamt: '-75.20', fund_pay_sumamt: '-39.78', psn_part_amt: '-35.42' } },
  cancel: {},
  query: { msginfo: { omsgid: 'H5309020000120260309100000001', status: 'done', infcode: 0, output: {} } },
  stmt: { stmtinfo: { setl_optins: '530902', stmt_rslt: '0', stmt_rslt_dscr: null } },
};
const good = (a: Action) => ({ infcode: 0, inf_refmsgid: '530900202603091000000000000001', refmsg_time: '20260309100000000', respond_time: '20260309100000100', err_msg: null, warn_msg: null, output: OUTPUTS[a] });

// A deeply nested value is generated as a marker and spliced in as text by serialize(): building
// it as an object would overflow JSON.stringify in the test itself.
const deep = fc.integer({ min: 20, max: 5000 }).map((n) => `\u0000DEEP${n}\u0000`);
function serialize(v: unknown): string {
  return (JSON.stringify(v) ?? 'null').replace(/"\\u0000DEEP(\d+)\\u0000"/g, (_m, n: string) => '{"a":'.repeat(Number(n)) + '1' + '}'.repeat(Number(n)));
}
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, '', ' ', ' 0', '0 ', '00', '0x0', '0.0', '-0', '1e0', '-1.0', '١', 'NaN', '75.2.1', '7,52', '¥75', '1e400', '-', '.', '0.', 0, -1, 1, 2, -0, 1e21, 0.1, 2 ** 63, '99999999999999999999999999.99', [], {}, [0], { '0': 0 }),
  fc.string({ maxLength: 30 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
  deep,
);
const DROP = Symbol('drop');

/** A copy of v with fields (to three levels) kept, dropped or replaced. */
function mutated(v: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(v)) return fc.tuple(...v.map(mutated)).map((xs) => xs.filter((x) => x !== DROP));
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return fc.constant({});
    return fc.tuple(...keys.map((k) => fc.oneof({ weight: 6, arbitrary: mutated((v as Record<string, unknown>)[k]) }, { weight: 1, arbitrary: fc.constant(DROP) }, { weight: 1, arbitrary: weird }))).map((vals) => {
      const out: Record<string, unknown> = {};
      keys.forEach((k, i) => {
        if (vals[i] !== DROP) out[k] = vals[i];
      });
      return out;
    });
  }
  return fc.constant(v);
}

const replyBody = (a: Action): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: mutated(good(a)).map(serialize) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify(good(a))) },
    { weight: 1, arbitrary: fc.tuple(fc.constant(JSON.stringify(good(a))), fc.nat()).map(([t, n]) => t.slice(0, n % t.length)) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify(good(a)).repeat(2)) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 200 }), weird.map(serialize), fc.constantFrom('<html>502 Bad Gateway</html>', '\ufeff' + JSON.stringify(good(a)), JSON.stringify(good(a)) + ' '.repeat(10_000))) },
    { weight: 1, arbitrary: fc.constantFrom(JSON.stringify({ infcode: -1, err_msg: '人员参保状态异常' }), JSON.stringify({ infcode: -1, err_msg: '' }), JSON.stringify({ infcode: '-1', err_msg: null })) },
  );

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** What the interface defines as a success (platform-fields.md, reply envelope: infcode 0 as a number or the string "0"). */
function definedSuccess(json: unknown): boolean {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return false;
  const code = (json as { infcode?: unknown }).infcode;
  return code === 0 || (typeof code === 'string' && /^\s*-?0+\s*$/.test(code));
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function checkParsed(a: Action, body: string, r: ReturnType<typeof parseReply>): void {
  const where = `${a}: ${body.slice(0, 300)}`;
  if (!r.ok) {
    assert.ok(typeof r.error === 'string' && r.error.length > 0, where);
    return;
  }
  const json = tryJson(body);
  assert.ok(json.ok, `accepted a body that is not JSON: ${where}`);
  assert.ok([0, -1].includes(r.reply.infcode), where);
  if (r.reply.infcode === -1) {
    assert.ok(r.reply.err_msg && r.reply.err_msg.length > 0, `a failure without err_msg was accepted: ${where}`);
    return;
  }
  assert.ok(definedSuccess(json.ok && json.value), `an infcode the interface does not define was read as success: ${where}`);
  if (a === 'settle' || a === 'reverse') {
    const out = r.reply.output as { setlinfo: Record<string, unknown>; setldetail?: Record<string, unknown>[] };
    assert.ok(typeof out.setlinfo.setl_id === 'string' && out.setlinfo.setl_id.length > 0, where);
    for (const k of ['medfee_sumamt', 'fund_pay_sumamt']) assert.match(String(out.setlinfo[k]), DECIMAL, `${k}: ${where}`);
    for (const d of out.setldetail ?? []) assert.match(String(d.fund_payamt), DECIMAL, where);
  }
  if (a === 'register') assert.ok(String((r.reply.output as { data: { mdtrt_id: string } }).data.mdtrt_id).length > 0, where);
}

test('reply parser: never throws; only a defined shape is a reply; accepted amounts are decimals', () => {
  fc.assert(
    fc.property(fc.constantFrom(...ACTIONS).chain((a) => fc.tuple(fc.constant(a), replyBody(a))), ([a, body]) => {
      let r: ReturnType<typeof parseReply>;
      try {
        r = parseReply(body, schemaOf(a));
      } catch (e) {
        assert.fail(`parseReply threw ${(e as Error).message} on ${a}: ${body.slice(0, 200)}`);
      }
      checkParsed(a, body, r);
    }),
    { ...fuzzParams(300), includeErrorInReport: true },
  );
});

test('reply parser: an infcode that is empty, blank or not 0/-1 is never a success', () => {
  for (const infcode of ['', ' ', '0x0', '1e0', null, true, [], 1, '1', 0.5]) {
    const r = parseReply(JSON.stringify({ ...good('settle'), infcode }), schemaOf('settle'));
    assert.equal(r.ok, false, JSON.stringify(infcode));
  }
});

test('client over HTTP: odd statuses and bodies cut mid-way are ambiguous, never a throw and never "not delivered"', { timeout: 300_000 }, async () => {
  let next: { status: number; body: string; cutAt: number | null } = { status: 200, body: '{}', cutAt: null };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { status, body, cutAt } = next;
      const bytes = Buffer.from(body, 'utf8');
      if (cutAt !== null && bytes.length > 0) {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
        res.write(bytes.subarray(0, cutAt % bytes.length));
        setImmediate(() => res.destroy());
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(bytes);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const client = new PlatformClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { timeoutMs: 2000 });
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ACTIONS).chain((a) => fc.tuple(fc.constant(a), replyBody(a), fc.constantFrom(200, 200, 200, 201, 204, 302, 400, 404, 500, 502, 503), fc.option(fc.nat(), { freq: 4 }))),
        async ([a, body, status, cutAt]) => {
          next = { status, body, cutAt };
          const out = await client.send({ infno: '2102', msgid: 'X' }, schemaOf(a));
          assert.notEqual(out.kind, 'not-delivered', 'a connection was made: the message may have been received');
          if (out.kind === 'reply') {
            assert.equal(status, 200, `a ${status} answer was read as a reply`);
            assert.equal(cutAt === null || Buffer.byteLength(body) === 0, true, 'a body cut mid-way was read as a reply');
            checkParsed(a, body, parseReply(body, schemaOf(a)));
          } else assert.ok(out.error.length > 0);
        },
      ),
      { ...fuzzParams(60), includeErrorInReport: true },
    );
  } finally {
    client.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
