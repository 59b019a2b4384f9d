// Reading the card or code at the counter: what was scanned, swiped or typed, whether it is
// valid, its normalised form and the certificate fields 1101 needs (platform-interface.md §4).
import { serviceDate } from '../clock/index.ts';
import type { Problem } from '../contract/problems.ts';
import { looksLikeCardRecord, parseCardRecord, type CardRecord } from './card.ts';
import { looksLikeIdNumber, parseIdNumber, type IdNumberInfo } from './idnumber.ts';
import { maskCardNo, maskCertno, maskName } from './mask.ts';
import { VOUCHER_HINT, looksLikeVoucherToken } from './voucher.ts';

export { checkChar, convert15to18, parseIdNumber, looksLikeIdNumber, CHECK_CHARS, CHECK_WEIGHTS, PROVINCE_CODES } from './idnumber.ts';
export type { IdNumberInfo, IdNumberResult } from './idnumber.ts';
export { parseCardRecord, looksLikeCardRecord, CARD_FIELDS } from './card.ts';
export type { CardRecord, CardResult } from './card.ts';
export { looksLikeVoucherToken, VOUCHER_HINT, TOKEN_MIN, TOKEN_MAX } from './voucher.ts';
export { classifyKeystrokes, DEFAULT_CLASSIFY } from './keystrokes.ts';
export type { KeyEvent, ClassifyOptions, Classification, ClassifyReason } from './keystrokes.ts';
export { maskCertno, maskName, maskCardNo, maskIdNumbersIn } from './mask.ts';

export type IdentityKind = 'id-card' | 'social-security-card' | 'ec-voucher' | 'unknown';

/** The certificate as the platform's 1101 wants it (mdtrt_cert_type 01 e-voucher, 02 ID, 03 card). */
export interface Certificate {
  mdtrtCertType: '01' | '02' | '03';
  mdtrtCertNo: string;
  cardSn?: string;
  certno?: string;
  name?: string;
  /** 发卡地区: a hint for 参保地 until 1101 answers. */
  insuAdmdvsHint?: string;
}

export interface IdentifyResult {
  kind: IdentityKind;
  valid: boolean;
  normalized: string;
  /** What may be shown on screen or logged. */
  masked: string;
  problems: Problem[];
  id?: IdNumberInfo;
  card?: CardRecord;
  cert?: Certificate;
  /** What the clerk should do next (e-voucher: needs the network or an offline token). */
  hint?: { message: string; messageZh: string };
}

export interface IdentifyOptions {
  /** yyyy-MM-dd; birth dates after it and cards expired before it are refused. Default: local today. */
  today?: string;
}


/**
 * Wedge scanners and IMEs bring their own artefacts: full-width digits (NFKC folds them), the
 * trailing Enter/Tab, stray spaces inside a hand-typed number.
 */
function clean(input: string): string {
  return input.normalize('NFKC').replace(/[\r\n\t]+$/g, '').trim();
}

export function identify(input: string, options: IdentifyOptions = {}): IdentifyResult {
  const today = options.today ?? serviceDate();
  const text = clean(input);
  if (text === '') {
    return {
      kind: 'unknown',
      valid: false,
      normalized: '',
      masked: '',
      problems: [{ path: '', code: 'EMPTY', message: 'nothing was scanned or typed', messageZh: '未读取到任何内容' }],
    };
  }

  if (looksLikeCardRecord(text)) {
    const r = parseCardRecord(text, today);
    const result: IdentifyResult = {
      kind: 'social-security-card',
      valid: r.valid,
      normalized: r.normalized,
      masked: r.card ? [r.card.admdvs, maskCertno(r.card.certno), maskCardNo(r.card.cardNo), maskName(r.card.name)].join('|') : maskCertno(text),
      problems: r.problems,
    };
    if (r.card) result.card = r.card;
    if (r.valid && r.card) {
      result.cert = {
        mdtrtCertType: '03',
        mdtrtCertNo: r.card.cardNo,
        cardSn: r.card.cardSn,
        certno: r.card.certno,
        name: r.card.name,
        insuAdmdvsHint: r.card.admdvs,
      };
    }
    return result;
  }

  // Spaces typed between groups of digits (5301 0219 9001 011234) are not part of the number.
  const compact = text.replace(/[\s-]+/g, '');
  if (looksLikeIdNumber(compact)) {
    const r = parseIdNumber(compact, today);
    const result: IdentifyResult = {
      kind: 'id-card',
      valid: r.valid,
      normalized: r.normalized,
      masked: maskCertno(r.normalized),
      problems: r.problems,
    };
    if (r.info) result.id = r.info;
    if (r.valid) result.cert = { mdtrtCertType: '02', mdtrtCertNo: r.normalized, certno: r.normalized };
    return result;
  }

  if (looksLikeVoucherToken(text)) {
    return {
      kind: 'ec-voucher',
      valid: true,
      normalized: text,
      masked: text.length > 12 ? `${text.slice(0, 6)}…${text.slice(-4)}` : '…',
      problems: [],
      cert: { mdtrtCertType: '01', mdtrtCertNo: text },
      hint: VOUCHER_HINT,
    };
  }

  // Something ID-like but the wrong length deserves the ID message, not a shrug.
  if (/^\d{14,19}[A-Za-z]?$/.test(compact)) {
    const r = parseIdNumber(compact, today);
    return { kind: 'id-card', valid: false, normalized: r.normalized, masked: maskCertno(r.normalized), problems: r.problems };
  }

  return {
    kind: 'unknown',
    valid: false,
    normalized: text,
    masked: maskCertno(text),
    problems: [
      {
        path: '',
        code: 'UNRECOGNISED',
        message: 'not an ID number, a social-security card read or a 医保电子凭证 code',
        messageZh: '无法识别：不是身份证号、社保卡信息或医保电子凭证',
      },
    ],
  };
}
