// National cryptography through the strict simulator, where a province configures it
// (provinces.json crypto): the counter's messages travel SM4-encrypted and SM2-signed, the
// simulator verifies and decrypts them, settles, and answers sealed; the counter opens the reply
// and acks. On the wire nothing of the patient is readable. A tampered message, one in the clear,
// or one without its signature is refused; without a key the counter sends nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { sm2 } from 'sm-crypto-v2';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { getOutboxBySettlement } from '../../core/store/outbox.ts';
import { standingSettlements } from '../../core/store/simulator.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { BUNDLED_PLATFORM_CONFIG, parsePlatformConfig } from '../../core/platform/config.ts';

const counter = sm2.generateKeyPairHex();
const platform = sm2.generateKeyPairHex();
const sm4Key = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const counterKeys = { sm4Key, privateKey: counter.privateKey, peerPublicKey: platform.publicKey };
const platformKeys = { sm4Key, privateKey: platform.privateKey, peerPublicKey: counter.publicKey };

function sealedLincang() {
  const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
  raw.regions.lincang.crypto = { encType: 'SM4', signType: 'SM2' };
  return parsePlatformConfig(raw, 'site');
}

/** Forwards to the simulator and keeps every body both ways, as they went over the wire. */
async function recordingProxy(target: string) {
  const wire: { request: string; reply: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const request = Buffer.concat(chunks).toString('utf8');
      const r = await fetch(new URL(req.url ?? '/', target), { method: 'POST', body: request, headers: { 'content-type': 'application/json' } });
      const reply = await r.text();
      wire.push({ request, reply });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(reply);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, wire, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

test('SM4 + SM2 where the province requires it: a clinic sale and its reversal round-trip sealed; nothing of the patient is readable on the wire', async () => {
  const config = sealedLincang();
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), config, keys: platformKeys });
  const proxy = await recordingProxy(sim.url);
  const up = new Uploader(db, { endpoint: proxy.url, timeoutMs: 3000, config, keys: counterKeys, hints: true });
  try {
    const sale = settleSale(db, { type: 'clinic' });
    await up.drainOnce();
    assert.equal(getOutboxBySettlement(db, sale.id)!.status, 'acked');
    assert.equal(standingSettlements(sim.db).length, 1);
    const undo = reverse(db, { settlementId: sale.id, operator: { id: 'op01', name: '李药师' }, reason: '退药' });
    await up.drainOnce();
    assert.equal(getOutboxBySettlement(db, undo.id)!.status, 'acked');
    assert.equal(standingSettlements(sim.db).length, 0);
    assert.deepEqual(proxy.wire.map((w) => JSON.parse(w.request).infno), ['9001', '2201', '2203', '2204', '2207', '2208']);
    for (const w of proxy.wire) {
      const env = JSON.parse(w.request) as Record<string, unknown>;
      assert.equal(env.enc_type, 'SM4');
      assert.equal(env.signtype, 'SM2');
      assert.equal(typeof env.input, 'string');
      assert.match(String(env.cainfo), /^[0-9a-f]{128}$/);
      assert.doesNotMatch(w.request, /53090000000000000001|530902199001011234/, 'no person number or ID number in the clear');
      const reply = JSON.parse(w.reply) as Record<string, unknown>;
      assert.equal(reply.infcode, 0, String(reply.err_msg));
      assert.equal(reply.enctype, 'SM4');
      assert.equal(typeof reply.output, 'string', 'the reply output is encrypted too');
    }
    // The simulator holds the opened message: the strict checks ran on the decrypted input.
    const stored = JSON.parse((sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '2207'`).get() as { request_json: string }).request_json);
    assert.equal(stored.input.data.psn_no, '53090000000000000001');

    // Tampered on the way: a flipped ciphertext character, a changed msgid, no signature, the clear text.
    const sealed = JSON.parse(proxy.wire.find((w) => JSON.parse(w.request).infno === '2207')!.request) as Record<string, string>;
    const post = async (body: unknown) => JSON.parse(await (await fetch(sim.url, { method: 'POST', body: JSON.stringify(body) })).text()) as { infcode: number; err_msg: string };
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === '0' ? '1' : '0') + s.slice(at + 1);
    const { cainfo: _c, ...unsigned } = sealed;
    for (const [what, body] of [
      ['a flipped ciphertext character', { ...sealed, input: flip(sealed.input!, 40) }],
      ['another msgid under the same signature', { ...sealed, msgid: flip(sealed.msgid!, 29) }],
      ['no cainfo', unsigned],
      ['the input in the clear', { ...stored, enc_type: '', signtype: '', cainfo: '' }],
    ] as const) {
      const r = await post(body);
      assert.equal(r.infcode, -1, what);
      assert.match(r.err_msg, /签名或加密校验失败/, what);
    }
    assert.equal(standingSettlements(sim.db).length, 0, 'none of them settled anything');
  } finally {
    up.close();
    await proxy.close();
    await sim.close();
  }
});

test('a counter without the key for a region that requires it sends nothing: the sale waits, its reason names the key file', async () => {
  const config = sealedLincang();
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), config, keys: platformKeys });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000, config, keys: null });
  try {
    const sale = settleSale(db);
    await up.drainOnce();
    const row = getOutboxBySettlement(db, sale.id)!;
    assert.equal(row.status, 'pending');
    assert.match(row.last_error ?? '', /no key for it is configured \(LBC_PLATFORM_KEYS\)/);
    assert.equal((sim.db.prepare('SELECT count(*) AS n FROM sim_message').get() as { n: number }).n, 0, 'nothing reached the platform');
  } finally {
    up.close();
    await sim.close();
  }
});
