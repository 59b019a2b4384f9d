// Bureau files arrive as UTF-8 (with or without BOM) or GBK/GB18030. Detection: a BOM or valid
// UTF-8 means UTF-8, anything else is read as GB18030 (a superset of GBK and GB2312);
// `--encoding` overrides. Decoding is iconv-lite's, never hand-written.
import iconv from 'iconv-lite';
import { InputError } from '../contract/problems.ts';

export type Encoding = 'utf8' | 'gbk' | 'gb18030';

export function normalizeEncoding(name: string): Encoding {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (n === 'utf8') return 'utf8';
  if (n === 'gbk' || n === 'cp936' || n === 'gb2312') return 'gbk';
  if (n === 'gb18030') return 'gb18030';
  throw new InputError('UNKNOWN_ENCODING', `Unknown encoding ${JSON.stringify(name)}; use utf8, gbk or gb18030`, `无法识别的编码 ${name}（可用 utf8、gbk、gb18030）`, [
    { path: 'encoding', code: 'UNKNOWN_ENCODING', message: `unknown encoding ${JSON.stringify(name)}`, messageZh: '无法识别的编码' },
  ]);
}

export function decodeBuffer(buf: Buffer, encoding?: string): { text: string; encoding: Encoding } {
  if (encoding) {
    const enc = normalizeEncoding(encoding);
    const text = enc === 'utf8' ? buf.toString('utf8') : iconv.decode(buf, enc);
    return { text: text.replace(/^\uFEFF/, ''), encoding: enc };
  }
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.toString('utf8', 3), encoding: 'utf8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(buf), encoding: 'utf8' };
  } catch {
    return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030' };
  }
}
