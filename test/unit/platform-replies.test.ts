// Every platform reply goes through zod: a corrupted or truncated reply is an unknown outcome
// (never a crash, never a silent success).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputSchemaFor, parseReply } from '../../core/platform/envelope.ts';

// A 2102 药店结算 reply in the reference's shape (platform-fields.md setlinfo, 2102 column).
const good = {
  infcode: 0,
  inf_refmsgid: '530900202408011000000000000001',
  err_msg: null,
  output: {
    setlinfo: {
      setl_id: 'S1',
      mdtrt_id: 'S1',
      psn_no: 'P1',
      setl_time: '2024-08-01 10:00:00',
      medfee_sumamt: 75.2,
      hifp_pay: '39.78',
      fund_pay_sumamt: '39.78',
      psn_part_amt: '35.42',
      acct_pay: 0,
      psn_cash_pay: '35.42',
      medins_setl_id: 'P53090100001202408011000000001',
    },
    setldetail: [],
  },
};

test('a well-formed settlement reply parses, amounts become decimal strings', () => {
  const r = parseReply(JSON.stringify(good), outputSchemaFor('2102'));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  const out = r.reply.output as { setlinfo: { medfee_sumamt: string; fund_pay_sumamt: string }; detlcutinfo: unknown[] };
  assert.equal(out.setlinfo.medfee_sumamt, '75.2');
  assert.equal(out.setlinfo.fund_pay_sumamt, '39.78');
  assert.deepEqual(out.detlcutinfo, []);
});

test('truncated, concatenated (duplicate) and garbled bodies are not replies', () => {
  const text = JSON.stringify(good);
  for (const body of [text.slice(0, text.length / 2), text + text, '', '<html>502 Bad Gateway</html>', '{"infcode":0,"output":{"setlinfo":<<x>>']) {
    const r = parseReply(body, outputSchemaFor('2102'));
    assert.equal(r.ok, false, body.slice(0, 40));
  }
});

test('a success without the settlement fields, or with a non-numeric amount, is not a success', () => {
  const missing = { ...good, output: { setlinfo: { setl_id: 'S1', mdtrt_id: 'S1', psn_no: 'P1', setl_time: '2024-08-01 10:00:00', medins_setl_id: 'M1', medfee_sumamt: '1.00' } } };
  assert.equal(parseReply(JSON.stringify(missing), outputSchemaFor('2102')).ok, false);
  const bad = { ...good, output: { setlinfo: { ...good.output.setlinfo, fund_pay_sumamt: 'NaN' } } };
  const r = parseReply(JSON.stringify(bad), outputSchemaFor('2102'));
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.error, /fund_pay_sumamt/);
});

test('infcode must be 0 or -1, and a refusal must say why', () => {
  assert.equal(parseReply(JSON.stringify({ ...good, infcode: 1 })).ok, false);
  assert.equal(parseReply(JSON.stringify({ ...good, infcode: '0' }), outputSchemaFor('2102')).ok, true, 'a string "0" is accepted (seen in the wild)');
  assert.equal(parseReply(JSON.stringify({ infcode: -1, output: null })).ok, false);
  const refused = parseReply(JSON.stringify({ infcode: -1, err_msg: '人员参保状态异常' }));
  assert.equal(refused.ok, true);
  if (refused.ok) assert.equal(refused.reply.err_msg, '人员参保状态异常');
});
