// 医保电子凭证 (医保码) QR contents. Only the platform can decode them (ec.query, then 1101 with
// mdtrt_cert_type 01, platform-interface.md §4), so the counter only recognises the shape.
//
// Heuristic (documented because the token format is not published):
// - one run of 20 to 2048 characters with no spaces, drawn from letters, digits and + / = _ - . :
//   (base64/base64url/hex-like tokens and the vendor prefixes seen in samples);
// - at least one letter AND at least one digit: WeChat/Alipay payment codes and drug barcodes
//   (EAN-13, 追溯码 20 digits) are all digits, and a word typed by mistake has no digit;
// - not an ID number (those are recognised first) and no '|' (a card record).

export const TOKEN_MIN = 20;
export const TOKEN_MAX = 2048;

export function looksLikeVoucherToken(text: string): boolean {
  if (text.length < TOKEN_MIN || text.length > TOKEN_MAX) return false;
  if (!/^[A-Za-z0-9+/=_\-.:]+$/.test(text)) return false;
  return /[A-Za-z]/.test(text) && /\d/.test(text);
}

export const VOUCHER_HINT = {
  message:
    'This is a 医保电子凭证 code: only the platform can decode it. Online it is resolved through the platform (ec.query, then 1101); offline only a token carried by the roster import can resolve it. Otherwise ask for the ID card or social-security card.',
  messageZh: '这是医保电子凭证（医保码），只能由医保平台解码：联网时通过平台识别；断网时仅能用名单导入中携带的凭证识别，否则请患者出示身份证或社保卡。',
};
