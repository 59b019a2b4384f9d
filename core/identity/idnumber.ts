// Resident ID numbers (GB 11643-1999 公民身份号码): 6-digit region, 8-digit birth date,
// 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character. 15-digit numbers
// issued before 1999 carry a 2-digit year and no check character; they are converted.
import type { Problem } from '../contract/problems.ts';
import { isRealDate } from '../contract/fields.ts';

export const CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
export const CHECK_CHARS = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'] as const;

/**
 * Province-level prefixes of GB/T 2260 plus 71 (Taiwan), 81/82 (HK/Macau residence permits) and
 * 83 (Taiwan residence permit). A number outside them was mistyped.
 */
export const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** Earliest birth date accepted (the standard's own example is born 1880): older is a typing error. */
export const EARLIEST_BIRTH = '1850-01-01';

/** The check character for the first 17 digits. */
export function checkChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('checkChar needs exactly 17 digits');
  let total = 0;
  for (let i = 0; i < 17; i++) total += Number(first17[i]) * CHECK_WEIGHTS[i]!;
  return CHECK_CHARS[total % 11]!;
}

/** Converts a 15-digit legacy number to 18 digits (inserts "19", appends the check character). */
export function convert15to18(id15: string): string {
  if (!/^\d{15}$/.test(id15)) throw new Error('convert15to18 needs exactly 15 digits');
  const first17 = `${id15.slice(0, 6)}19${id15.slice(6)}`;
  return first17 + checkChar(first17);
}

export interface IdNumberInfo {
  /** 18 characters, upper-case X. */
  certno: string;
  /** Administrative region code of the issuing place (first 6 digits). */
  region: string;
  birthDate: string;
  gender: 'male' | 'female';
  /** The input was a 15-digit legacy number, converted. */
  convertedFrom15: boolean;
}

export interface IdNumberResult {
  valid: boolean;
  normalized: string;
  problems: Problem[];
  info?: IdNumberInfo;
}

const p = (path: string, code: string, message: string, messageZh: string): Problem => ({ path, code, message, messageZh });

/** Whether the text has the shape of an ID number at all (so identify() can call it one, even if wrong). */
export function looksLikeIdNumber(text: string): boolean {
  return /^\d{17}[\dXx]$/.test(text) || /^\d{15}$/.test(text);
}

/**
 * Validates an ID number. `today` (yyyy-MM-dd) bounds the birth date; `path` names the field in problems.
 * Every problem found is reported, not only the first, so the clerk sees why at once.
 */
export function parseIdNumber(raw: string, today: string, path = 'certno'): IdNumberResult {
  const text = raw.trim().replace(/\s+/g, '');
  const problems: Problem[] = [];
  let certno: string;
  let convertedFrom15 = false;
  if (/^\d{15}$/.test(text)) {
    convertedFrom15 = true;
    certno = convert15to18(text);
  } else if (/^\d{17}[\dXx]$/.test(text)) {
    certno = text.toUpperCase();
  } else {
    const length = [...text].length;
    problems.push(
      p(
        path,
        'ID_FORMAT',
        `an ID number has 18 characters (17 digits and a digit or X) or 15 digits; got ${length} character(s)${/[^\dXx]/.test(text) ? ' including characters other than digits and X' : ''}`,
        `身份证号应为18位（17位数字加1位数字或X）或15位数字，收到${length}位${/[^\dXx]/.test(text) ? '且含有数字和X以外的字符' : ''}`,
      ),
    );
    return { valid: false, normalized: text.toUpperCase(), problems };
  }

  const region = certno.slice(0, 6);
  if (!PROVINCE_CODES.has(region.slice(0, 2))) {
    problems.push(
      p(path, 'ID_REGION', `the region code ${region} does not start with a province code`, `地区码 ${region} 的前两位不是有效的省级代码`),
    );
  }
  const birthDate = `${certno.slice(6, 10)}-${certno.slice(10, 12)}-${certno.slice(12, 14)}`;
  if (!isRealDate(birthDate)) {
    problems.push(p(path, 'ID_BIRTH_DATE', `the birth date ${birthDate} does not exist`, `出生日期 ${birthDate} 不是有效日期`));
  } else if (birthDate > today) {
    problems.push(p(path, 'ID_BIRTH_FUTURE', `the birth date ${birthDate} is after today (${today})`, `出生日期 ${birthDate} 晚于今天（${today}）`));
  } else if (birthDate < EARLIEST_BIRTH) {
    problems.push(p(path, 'ID_BIRTH_DATE', `the birth date ${birthDate} is before ${EARLIEST_BIRTH}`, `出生日期 ${birthDate} 早于 ${EARLIEST_BIRTH}`));
  }
  if (!convertedFrom15) {
    const expected = checkChar(certno.slice(0, 17));
    const found = certno[17]!;
    if (expected !== found) {
      problems.push(
        p(
          path,
          'CHECK_DIGIT',
          `check digit mismatch: the 18th character should be ${expected} for these first 17 digits, found ${found}`,
          `校验位错误：按前17位计算，第18位应为 ${expected}，实际为 ${found}`,
        ),
      );
    }
  }
  const gender = Number(certno[16]) % 2 === 1 ? 'male' : 'female';
  return {
    valid: problems.length === 0,
    normalized: certno,
    problems,
    info: { certno, region, birthDate, gender, convertedFrom15 },
  };
}
