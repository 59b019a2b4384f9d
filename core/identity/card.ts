// Social-security card reads. The security-module DLL (HeaSecReadInfo ReadCardBas, and older
// vendor DLLs) returns the basic record pipe-separated, platform-interface.md §4:
// 发卡地区行政区划代码 | 社会保障号码 | 卡号 | 卡识别码 | 姓名 | 卡复位信息 | 规范版本 | 发卡日期 | 卡有效期 | 终端机编号 | 终端设备号
import type { Problem } from '../contract/problems.ts';
import { isRealDate } from '../contract/fields.ts';
import { PROVINCE_CODES, parseIdNumber } from './idnumber.ts';

export const CARD_FIELDS = [
  ['admdvs', '发卡地区行政区划代码'],
  ['certno', '社会保障号码'],
  ['cardNo', '卡号'],
  ['cardSn', '卡识别码'],
  ['name', '姓名'],
  ['resetInfo', '卡复位信息'],
  ['specVersion', '规范版本'],
  ['issueDate', '发卡日期'],
  ['expiryDate', '卡有效期'],
  ['terminalNo', '终端机编号'],
  ['deviceNo', '终端设备号'],
] as const;

export type CardField = (typeof CARD_FIELDS)[number][0];
export type CardRecord = Record<CardField, string>;

export interface CardResult {
  valid: boolean;
  problems: Problem[];
  card?: CardRecord;
  /** The record re-joined with normalised fields (upper-case X, dates as read). */
  normalized: string;
}

const p = (path: string, code: string, message: string, messageZh: string): Problem => ({ path, code, message, messageZh });

/** A pipe-separated line with at least 5 fields is treated as a card read (the first 5 are the ones 1101 needs). */
export function looksLikeCardRecord(text: string): boolean {
  return text.includes('|') && text.split('|').length >= 5;
}

/** yyyyMMdd → yyyy-MM-dd, or null when it is not a real date. */
function cardDate(text: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  return isRealDate(iso) ? iso : null;
}

export function parseCardRecord(raw: string, today: string): CardResult {
  let parts = raw.trim().split('|');
  // Most readers end the record with a separator: one empty trailing field is not a twelfth field.
  if (parts.length === CARD_FIELDS.length + 1 && parts[parts.length - 1]!.trim() === '') parts = parts.slice(0, -1);
  if (parts.length !== CARD_FIELDS.length) {
    return {
      valid: false,
      normalized: raw.trim(),
      problems: [
        p(
          'card',
          'CARD_FIELD_COUNT',
          `a card record has ${CARD_FIELDS.length} pipe-separated fields (${CARD_FIELDS.map((f) => f[0]).join('|')}); got ${parts.length}`,
          `社保卡基本信息应有${CARD_FIELDS.length}个以"|"分隔的字段，收到${parts.length}个`,
        ),
      ],
    };
  }
  const card = Object.fromEntries(CARD_FIELDS.map(([key], i) => [key, parts[i]!.trim()])) as CardRecord;
  const problems: Problem[] = [];

  if (!/^\d{6}$/.test(card.admdvs)) {
    problems.push(p('card.admdvs', 'CARD_REGION', `发卡地区 must be a 6-digit region code, got ${JSON.stringify(card.admdvs)}`, `发卡地区行政区划代码应为6位数字，收到 ${JSON.stringify(card.admdvs)}`));
  } else if (!PROVINCE_CODES.has(card.admdvs.slice(0, 2))) {
    problems.push(p('card.admdvs', 'CARD_REGION', `发卡地区 ${card.admdvs} does not start with a province code`, `发卡地区 ${card.admdvs} 的前两位不是有效的省级代码`));
  }

  const id = parseIdNumber(card.certno, today, 'card.certno');
  problems.push(...id.problems);
  if (id.info) card.certno = id.normalized;

  if (!/^[0-9A-Za-z]{1,20}$/.test(card.cardNo)) {
    problems.push(p('card.cardNo', 'CARD_NO', `卡号 must be 1–20 letters or digits, got ${card.cardNo.length} character(s)`, `卡号应为1至20位字母或数字`));
  }
  // 1101 with mdtrt_cert_type 03 requires card_sn.
  if (!/^[0-9A-Za-z]{1,64}$/.test(card.cardSn)) {
    problems.push(p('card.cardSn', 'CARD_SN', '卡识别码 is missing or has characters other than letters and digits', '卡识别码缺失或含有字母数字以外的字符'));
  }
  if (card.name === '') problems.push(p('card.name', 'CARD_NAME', '姓名 is empty', '姓名为空'));

  for (const key of ['issueDate', 'expiryDate'] as const) {
    const value = card[key];
    if (value === '') continue;
    if (cardDate(value) === null) {
      const zh = key === 'issueDate' ? '发卡日期' : '卡有效期';
      problems.push(p(`card.${key}`, 'CARD_DATE', `${key} must be a real date yyyyMMdd, got ${JSON.stringify(value)}`, `${zh}应为有效日期（yyyyMMdd），收到 ${JSON.stringify(value)}`));
    }
  }
  const expiry = card.expiryDate ? cardDate(card.expiryDate) : null;
  if (expiry !== null && expiry < today) {
    problems.push(p('card.expiryDate', 'CARD_EXPIRED', `the card expired on ${expiry}`, `社保卡已于 ${expiry} 过期`));
  }
  return { valid: problems.length === 0, problems, card, normalized: CARD_FIELDS.map(([key]) => card[key]).join('|') };
}
