// National cryptography on the envelope where a province requires it (provinces.json `crypto`):
// enc_type SM4 — `input` travels as the SM4 ciphertext (hex) of its JSON; signtype SM3 (HMAC-SM3
// with the shared key) or SM2 (SM3withSM2 with the sender's private key) — `cainfo` carries the
// signature. The reply comes back the same way (enctype / signtype / cainfo, platform-fields.md
// reply envelope) and is opened before its schema reads it. Through sm-crypto-v2.
//
// What is signed is this product's convention, not taken from an anchor (none shows the exact
// string): infno, msgid, fixmedins_code, inf_time and the input as sent, joined by '&'; for a
// reply infcode, inf_refmsgid and the output as sent. A province whose gateway signs otherwise
// needs its own rule here.
import { readFileSync, statSync } from 'node:fs';
import { sm2, sm3, sm4 } from 'sm-crypto-v2';
import { z } from 'zod';
import { InputError } from '../contract/problems.ts';

export const CryptoSpecSchema = z.object({ encType: z.enum(['', 'SM4']), signType: z.enum(['', 'SM3', 'SM2']) });
export type CryptoSpec = z.infer<typeof CryptoSpecSchema>;
export const NO_CRYPTO: CryptoSpec = { encType: '', signType: '' };

const HEX = (n?: number) => z.string().regex(n ? new RegExp(`^[0-9a-fA-F]{${n}}$`) : /^[0-9a-fA-F]+$/);

/** This side's keys: the SM4 key (32 hex), the HMAC-SM3 key, this side's SM2 private key and the other side's SM2 public key. */
export const PlatformKeysSchema = z.strictObject({
  sm4Key: HEX(32).optional(),
  hmacKey: z.string().min(16).optional(),
  privateKey: HEX(64).optional(),
  peerPublicKey: HEX().min(128).max(130).optional(),
});
export type PlatformKeys = z.infer<typeof PlatformKeysSchema>;

/** Environment variable naming the counter's key file (JSON, owner-only): never in provinces.json. */
export const PLATFORM_KEYS_ENV = 'LBC_PLATFORM_KEYS';

export function loadPlatformKeys(file: string | undefined = process.env[PLATFORM_KEYS_ENV]): PlatformKeys | null {
  if (!file) return null;
  const mode = statSync(file).mode & 0o077;
  if (process.platform !== 'win32' && mode !== 0) {
    throw new InputError('KEY_FILE_EXPOSED', `${file} is readable by others (mode ${(statSync(file).mode & 0o777).toString(8)}); make it owner-only (chmod 600)`, '医保密钥文件权限过宽，请设为仅本人可读');
  }
  const parsed = PlatformKeysSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new InputError('BAD_KEY_FILE', `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, '医保密钥文件格式有误');
  return parsed.data;
}

export class CryptoRefused extends Error {}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new CryptoRefused(`the region requires ${what}, and no key for it is configured (${PLATFORM_KEYS_ENV})`);
  return v;
}

const SM4_OPTS = { mode: 'ecb', padding: 'pkcs#7' } as const;

function sign(text: string, spec: CryptoSpec, keys: PlatformKeys): string {
  if (spec.signType === 'SM3') return sm3(text, { key: need(keys.hmacKey, 'an HMAC-SM3 key'), mode: 'hmac' });
  return sm2.doSignature(text, need(keys.privateKey, 'an SM2 private key'), { hash: true, der: false });
}

function verify(text: string, signature: unknown, spec: CryptoSpec, keys: PlatformKeys): boolean {
  if (typeof signature !== 'string' || signature.length === 0 || signature.length > 1024) return false;
  if (spec.signType === 'SM3') return sm3(text, { key: need(keys.hmacKey, 'an HMAC-SM3 key'), mode: 'hmac' }) === signature.toLowerCase();
  try {
    return sm2.doVerifySignature(text, signature, need(keys.peerPublicKey, "the other side's SM2 public key"), { hash: true, der: false });
  } catch {
    return false;
  }
}

const requestSigned = (e: Record<string, unknown>, inputText: string) => [e.infno, e.msgid, e.fixmedins_code, e.inf_time, inputText].map((v) => String(v ?? '')).join('&');
const replySigned = (r: Record<string, unknown>, outputText: string) => [r.infcode, r.inf_refmsgid, outputText].map((v) => String(v ?? '')).join('&');

/** Envelope fields as they travel: input encrypted and/or the envelope signed, per the spec. */
export function sealRequest(env: Record<string, unknown>, spec: CryptoSpec, keys: PlatformKeys | null): Record<string, unknown> {
  if (!spec.encType && !spec.signType) return env;
  const k = keys ?? {};
  const plain = JSON.stringify(env.input ?? {});
  const input = spec.encType === 'SM4' ? sm4.encrypt(plain, need(k.sm4Key, 'an SM4 key'), SM4_OPTS) : env.input;
  const inputText = typeof input === 'string' ? input : plain;
  const out: Record<string, unknown> = { ...env, input, enc_type: spec.encType };
  if (spec.signType) Object.assign(out, { signtype: spec.signType, cainfo: sign(requestSigned(env, inputText), spec, k) });
  return out;
}

/** The envelope as sent, checked and opened: the signature verified over what arrived, the input decrypted. */
export function openRequest(env: Record<string, unknown>, spec: CryptoSpec, keys: PlatformKeys | null): { ok: true; env: Record<string, unknown> } | { ok: false; why: string } {
  if (!spec.encType && !spec.signType) return { ok: true, env };
  const k = keys ?? {};
  try {
    if (spec.encType && env.enc_type !== spec.encType) return { ok: false, why: `enc_type must be ${spec.encType}` };
    const inputText = typeof env.input === 'string' ? env.input : JSON.stringify(env.input ?? {});
    if (spec.signType) {
      if (env.signtype !== spec.signType) return { ok: false, why: `signtype must be ${spec.signType}` };
      if (!verify(requestSigned(env, inputText), env.cainfo, spec, k)) return { ok: false, why: 'cainfo: the signature does not match the message' };
    }
    if (!spec.encType) return { ok: true, env };
    if (typeof env.input !== 'string' || !/^[0-9a-fA-F]+$/.test(env.input) || env.input.length > 200_000) return { ok: false, why: 'input: SM4 ciphertext (hex) expected' };
    const plain = sm4.decrypt(env.input, need(k.sm4Key, 'an SM4 key'), SM4_OPTS);
    const input = JSON.parse(plain) as unknown;
    if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, why: 'input: the decrypted text is not an object' };
    return { ok: true, env: { ...env, input } };
  } catch (e) {
    if (e instanceof CryptoRefused) return { ok: false, why: e.message };
    return { ok: false, why: `input cannot be decrypted (${(e as Error).message})` };
  }
}

/** A reply as it travels: output encrypted (enctype) and the reply signed, per the spec. */
export function sealReply(reply: Record<string, unknown>, spec: CryptoSpec, keys: PlatformKeys | null): Record<string, unknown> {
  if (!spec.encType && !spec.signType) return reply;
  const k = keys ?? {};
  const plain = JSON.stringify(reply.output ?? {});
  const output = spec.encType === 'SM4' ? sm4.encrypt(plain, need(k.sm4Key, 'an SM4 key'), SM4_OPTS) : reply.output;
  const outputText = typeof output === 'string' ? output : plain;
  const out: Record<string, unknown> = { ...reply, output, enctype: spec.encType };
  if (spec.signType) Object.assign(out, { signtype: spec.signType, cainfo: sign(replySigned(reply, outputText), spec, k) });
  return out;
}

/** A reply body opened: signature verified, output decrypted. A reply that is not sealed as the region requires is refused. */
export function openReply(body: string, spec: CryptoSpec, keys: PlatformKeys | null): { ok: true; body: string } | { ok: false; why: string } {
  if (!spec.encType && !spec.signType) return { ok: true, body };
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { ok: true, body }; // not JSON: the reply parser says so
  }
  if (!r || typeof r !== 'object') return { ok: true, body };
  const k = keys ?? {};
  try {
    const outputText = typeof r.output === 'string' ? r.output : JSON.stringify(r.output ?? {});
    if (spec.signType) {
      if (r.signtype !== spec.signType) return { ok: false, why: `reply signtype must be ${spec.signType}` };
      if (!verify(replySigned(r, outputText), r.cainfo, spec, k)) return { ok: false, why: 'reply cainfo: the signature does not match the reply' };
    }
    if (spec.encType && typeof r.output === 'string' && r.output.length > 0) {
      if (r.enctype !== spec.encType) return { ok: false, why: `reply enctype must be ${spec.encType}` };
      r = { ...r, output: JSON.parse(sm4.decrypt(r.output, need(k.sm4Key, 'an SM4 key'), SM4_OPTS)) as unknown };
    }
    return { ok: true, body: JSON.stringify(r) };
  } catch (e) {
    return { ok: false, why: `reply cannot be opened (${(e as Error).message})` };
  }
}
