// Masking of personal data for screens and logs: enough left to recognise the person at the
// counter, not enough to reconstruct the number.
const STAR = '*';

/** 530102199001011234 → 5301**********1234 (first 4 and last 4 kept). Short or odd input: all but the last 2. */
export function maskCertno(certno: string | null | undefined): string {
  if (!certno) return '';
  const chars = [...certno.trim()];
  if (chars.length >= 12) return chars.slice(0, 4).join('') + STAR.repeat(chars.length - 8) + chars.slice(-4).join('');
  if (chars.length <= 2) return STAR.repeat(chars.length);
  return STAR.repeat(chars.length - 2) + chars.slice(-2).join('');
}

/** 张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜, a single character → *. */
export function maskName(name: string | null | undefined): string {
  if (!name) return '';
  const chars = [...name.trim()];
  if (chars.length <= 1) return STAR.repeat(chars.length);
  if (chars.length === 2) return chars[0] + STAR;
  return chars[0] + STAR.repeat(chars.length - 2) + chars[chars.length - 1];
}

/** Social-security card numbers (often 9 characters, e.g. A01234567 → A0*****67): first 2 and last 2 kept. */
export function maskCardNo(cardNo: string | null | undefined): string {
  if (!cardNo) return '';
  const chars = [...cardNo.trim()];
  if (chars.length >= 6) return chars.slice(0, 2).join('') + STAR.repeat(chars.length - 4) + chars.slice(-2).join('');
  if (chars.length <= 1) return STAR.repeat(chars.length);
  return STAR.repeat(chars.length - 1) + chars[chars.length - 1];
}

/** Masks every ID-number-shaped run inside free text (log lines, error messages). */
export function maskIdNumbersIn(text: string): string {
  return text.replace(/(?<![\dXx])(\d{17}[\dXx]|\d{15})(?![\dXx])/g, (m) => maskCertno(m));
}
