// National cryptography on the envelope (core/platform/crypto.ts): SM4 input, SM3 (HMAC) or SM2
// (SM3withSM2) signature in cainfo; a sealed message opens to the same input; a tampered one,
// one signed with another key or one sent in the clear is refused, naming why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sm2 } from 'sm-crypto-v2';
import { openReply, openRequest, sealReply, sealRequest, CryptoRefused, type CryptoSpec } from '../../core/platform/crypto.ts';

const counter = sm2.generateKeyPairHex();
const platform = sm2.generateKeyPairHex();
const sm4Key = '0123456789abcdeffedcba9876543210';
const counterKeys = { sm4Key, hmacKey: 'a-shared-secret-of-the-institution', privateKey: counter.privateKey, peerPublicKey: platform.publicKey };
const platformKeys = { sm4Key, hmacKey: 'a-shared-secret-of-the-institution', privateKey: platform.privateKey, peerPublicKey: counter.publicKey };

const env = {
  infno: '2102',
  msgid: 'P53090100001202408011000001001',
  fixmedins_code: 'P53090100001',
  inf_time: '2024-08-01 10:00:00',
  mdtrtarea_admvs: '530900',
  input: { druginfo: { psn_no: '53090000000000000001', medfee_sumamt: '75.20' }, drugdetail: [{ feedetl_sn: 'a' }] },
};

for (const spec of [
  { encType: 'SM4', signType: 'SM2' },
  { encType: 'SM4', signType: 'SM3' },
  { encType: '', signType: 'SM2' },
  { encType: 'SM4', signType: '' },
] as CryptoSpec[]) {
  test(`enc_type ${spec.encType || '(none)'} / signtype ${spec.signType || '(none)'}: a sealed request opens to the same input; tampered it is refused`, () => {
    const sealed = sealRequest(env, spec, counterKeys);
    assert.equal(sealed.enc_type, spec.encType);
    if (spec.encType) {
      assert.equal(typeof sealed.input, 'string');
      assert.doesNotMatch(String(sealed.input), /53090000000000000001/, 'the person number is not readable on the wire');
    }
    if (spec.signType) assert.equal(sealed.signtype, spec.signType);
    const opened = openRequest(sealed, spec, platformKeys);
    assert.ok(opened.ok, opened.ok ? '' : opened.why);
    assert.deepEqual(opened.env.input, env.input);
    if (spec.signType) {
      assert.equal(openRequest({ ...sealed, msgid: 'P53090100001202408011000001002' }, spec, platformKeys).ok, false, 'a signed field changed');
      const flipped = typeof sealed.input === 'string' ? sealed.input.replace(/^./, (c) => (c === '0' ? '1' : '0')) : { ...env.input, druginfo: { ...env.input.druginfo, medfee_sumamt: '7.52' } };
      const t = openRequest({ ...sealed, input: flipped }, spec, platformKeys);
      assert.equal(t.ok, false);
      assert.match(t.ok ? '' : t.why, /cainfo/);
      const { cainfo: _c, ...unsigned } = sealed;
      assert.equal(openRequest(unsigned, spec, platformKeys).ok, false, 'no signature');
      const other = sm2.generateKeyPairHex();
      assert.equal(openRequest(sealRequest(env, spec, { ...counterKeys, privateKey: other.privateKey, hmacKey: 'another-secret-entirely' }), spec, platformKeys).ok, false, 'signed with another key');
    } else {
      const t = openRequest({ ...sealed, input: `00${String(sealed.input).slice(2)}` }, spec, platformKeys);
      if (t.ok) assert.notDeepEqual(t.env.input, env.input);
    }
    if (spec.encType) assert.match((openRequest({ ...env, enc_type: '' }, spec, platformKeys) as { why: string }).why, /enc_type must be SM4/, 'the clear text is refused');
  });
}

test('a sealed reply opens to its output; a tampered or unsigned reply is refused', () => {
  const spec: CryptoSpec = { encType: 'SM4', signType: 'SM2' };
  const reply = { infcode: 0, inf_refmsgid: '530900202408011000000000000001', err_msg: null, output: { setlinfo: { setl_id: 'ST1' } } };
  const sealed = sealReply(reply, spec, platformKeys);
  assert.equal(typeof sealed.output, 'string');
  const opened = openReply(JSON.stringify(sealed), spec, counterKeys);
  assert.ok(opened.ok);
  assert.deepEqual(JSON.parse(opened.body).output, reply.output);
  assert.equal(openReply(JSON.stringify({ ...sealed, inf_refmsgid: '530900202408011000000000000002' }), spec, counterKeys).ok, false);
  assert.equal(openReply(JSON.stringify(reply), spec, counterKeys).ok, false, 'an unsealed reply where the region seals');
});

test('a missing key is a clear error naming the key file, not a crash or a message sent in the clear', () => {
  assert.throws(() => sealRequest(env, { encType: 'SM4', signType: '' }, {}), (e: unknown) => e instanceof CryptoRefused && /SM4 key.*LBC_PLATFORM_KEYS/.test(e.message));
  assert.throws(() => sealRequest(env, { encType: '', signType: 'SM2' }, null), /SM2 private key/);
});
