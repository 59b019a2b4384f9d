// Bureau files arrive as UTF-8 (with or without BOM) or GBK/GB18030. The file is decoded as it
// is read (StreamDecoder, chunk by chunk; a character split between chunks is carried over),
// and it must be valid in one encoding from its first byte to its last: a file that is not is
// refused naming the first bad line, never decoded "as well as possible" (a UTF-8 file with
// one GBK row read wholesale as GB18030 garbles every name). Detection, with a confidence
// check: a UTF-8 BOM means UTF-8 (and the content must then be UTF-8); otherwise the first
// chunk holding non-ASCII bytes decides, line by line (guess): UTF-8 when at least as many of
// its non-ASCII lines are surely UTF-8 as are not UTF-8, else GB18030 (a superset of GBK and
// GB2312); when every line reads validly both ways, the file is refused (ENCODING_AMBIGUOUS).
// A line of UTF-8 Chinese inside a file read as GBK is refused as well (utf8LineInGbk), and
// so is a line of GBK Chinese that happens to be valid UTF-8 (gbkLineInUtf8).
// `--encoding` overrides detection, not validation. Decoding is iconv-lite's / Node's.
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { InputError } from '../contract/problems.ts';

export type Encoding = 'utf8' | 'gbk' | 'gb18030';

const NAME: Record<Encoding, string> = { utf8: 'UTF-8', gbk: 'GBK', gb18030: 'GB18030' };

export function normalizeEncoding(name: string): Encoding {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (n === 'utf8') return 'utf8';
  if (n === 'gbk' || n === 'cp936' || n === 'gb2312') return 'gbk';
  if (n === 'gb18030') return 'gb18030';
  throw new InputError('UNKNOWN_ENCODING', `Unknown encoding ${JSON.stringify(name)}; use utf8, gbk or gb18030`, `无法识别的编码 ${name}（可用 utf8、gbk、gb18030）`, [
    { path: 'encoding', code: 'UNKNOWN_ENCODING', message: `unknown encoding ${JSON.stringify(name)}`, messageZh: '无法识别的编码' },
  ]);
}

function lineError(code: string, line: number, message: string, messageZh: string): InputError {
  return new InputError(code, message, messageZh, [{ path: `line.${line}`, code, message, messageZh }]);
}

function countNewlines(buf: Buffer, end = buf.length): number {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1 && i < end; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Offset of the first byte that does not begin a valid UTF-8 sequence (buf is known invalid). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > n || !isUtf8(buf.subarray(i, i + len))) return i;
    i += len;
  }
  return n;
}

/** Where a chunk can be cut without splitting a UTF-8 sequence (the rest waits for the next chunk). */
function utf8Cut(buf: Buffer): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if (b < 0x80) return n;
    if (b >= 0xc0) {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return len > back ? n - back : n;
    }
  }
  return n;
}

/**
 * The sample's verdict: null when it holds no byte above 0x7F (ASCII reads the same either
 * way), else utf8 or gb18030 by a count of its non-ASCII lines: a line that is not valid UTF-8
 * votes GBK, a valid one with a character of three bytes or more votes UTF-8, and a valid one
 * whose two-byte characters all read as GB2312 hanzi in GBK (强 is C7 BF, which is also UTF-8
 * ǿ) votes for neither. A sample of such lines only is refused: no guess would be sure.
 */
function guess(sample: Buffer, final: boolean): Encoding | null | { ambiguousAt: number } {
  let valid = 0;
  let invalid = 0;
  let ambiguousAt = -1;
  let start = 0;
  const n = sample.length;
  while (start < n) {
    let end = sample.indexOf(10, start);
    const last = end === -1;
    if (last) end = n;
    let high = false;
    for (let i = start; i < end; i++) {
      if (sample[i]! >= 0x80) {
        high = true;
        break;
      }
    }
    if (high) {
      // The sample's last line may stop inside a character: judge only what is complete.
      const line = sample.subarray(start, last && !final ? utf8Cut(sample.subarray(start, end)) + start : end);
      if (!isUtf8(line)) invalid++;
      else if (gbkLike(line, 0, line.length, false)) {
        if (ambiguousAt === -1) ambiguousAt = start;
      } else valid++;
    }
    start = end + 1;
  }
  if (valid === 0 && invalid === 0) return ambiguousAt === -1 ? null : { ambiguousAt };
  return valid >= invalid ? 'utf8' : 'gb18030';
}

/**
 * Offset of the first complete line in buf[0, end) that is UTF-8 Chinese in a file read as GBK:
 * valid UTF-8 with at least one three-byte sequence, whose bytes read as GBK leave GB2312 (a
 * lead or trail byte below 0xA1, or a four-byte GB18030 sequence). GBK text is itself valid
 * UTF-8 now and then (a few in ten thousand three-character names), but then it reads as
 * GB2312 characters; UTF-8 Chinese read as GBK almost never does (its continuation bytes
 * 0x80–0xBF fall where GB2312 has no trail bytes). -1 when there is none.
 */
function utf8LineInGbk(buf: Buffer, end: number): number {
  let start = 0;
  while (start < end) {
    let nl = buf.indexOf(10, start);
    if (nl === -1 || nl >= end) nl = end;
    let i = start;
    let valid = true;
    let threeByte = false;
    let high = false;
    while (i < nl) {
      const b = buf[i]!;
      if (b < 0x80) {
        i++;
        continue;
      }
      high = true;
      const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (len === 0 || i + len > nl) {
        valid = false;
        break;
      }
      let k = 1;
      while (k < len && (buf[i + k]! & 0xc0) === 0x80) k++;
      if (k < len) {
        valid = false;
        break;
      }
      if (len === 3) threeByte = true;
      i += len;
    }
    if (high && valid && threeByte && isUtf8(buf.subarray(start, nl))) {
      // Read as GBK: does it leave GB2312?
      for (let j = start; j < nl; ) {
        const b = buf[j]!;
        if (b < 0x80) {
          j++;
          continue;
        }
        const t = buf[j + 1] ?? 0;
        if ((t >= 0x30 && t <= 0x39) || b < 0xa1 || b > 0xf7 || t < 0xa1) return start;
        j += 2;
      }
    }
    start = nl + 1;
  }
  return -1;
}

/**
 * Offset of the first complete line in buf[0, end) (valid UTF-8) that is gbkLike: GBK Chinese
 * that slipped through as valid UTF-8 (about 18% of one-character and 3% of two-character
 * GBK names do). A UTF-8 Chinese line has three-byte sequences and never matches; '·' alone
 * does not count. -1 when there is none. A heuristic (a line whose only non-ASCII letters are
 * accented Latin ones, as José, matches), so `--encoding utf8` turns it off.
 */
function gbkLineInUtf8(buf: Buffer, end: number): number {
  let start = 0;
  while (start < end) {
    let nl = buf.indexOf(10, start);
    if (nl === -1 || nl >= end) nl = end;
    if (gbkLike(buf, start, nl, true)) return start;
    start = nl + 1;
  }
  return -1;
}

/**
 * buf[start, end) (valid UTF-8) could be GBK Chinese: it has two-byte characters only, each
 * of which read as GBK is a GB2312 hanzi (lead 0xC2–0xDF, trail 0xA1–0xBF). With `dotIsUtf8`,
 * U+00B7 '·' (C2 B7, the dot in names such as 阿依古丽·买买提) does not count as a sign of GBK.
 */
function gbkLike(buf: Buffer, start: number, end: number, dotIsUtf8: boolean): boolean {
  let pairs = 0;
  for (let i = start; i < end; ) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const t = buf[i + 1] ?? 0;
    if (!(b >= 0xc2 && b <= 0xdf && t >= 0xa1 && t <= 0xbf)) return false;
    if (!(dotIsUtf8 && b === 0xc2 && t === 0xb7)) pairs++;
    i += 2;
  }
  return pairs >= 1;
}

/**
 * Decodes a file chunk by chunk, refusing it (InputError naming the line) at the first byte
 * that is not valid in the encoding it was detected or declared in.
 */
export class StreamDecoder {
  private enc: Encoding | null;
  private readonly forced: boolean;
  private bom = false;
  private started = false;
  /** Bytes seen while the encoding is still undecided (ASCII only) are passed straight through. */
  private carry: Buffer = Buffer.alloc(0);
  private gb: { write(b: Buffer): string; end(): string | undefined } | null = null;
  /** The bytes of the line still incomplete at the end of the last chunk (for the line checks). */
  private lineTail: Buffer = Buffer.alloc(0);
  /** 1-based line of the first byte not yet decoded. */
  private line = 1;

  constructor(encoding?: string) {
    this.enc = encoding ? normalizeEncoding(encoding) : null;
    this.forced = encoding !== undefined && encoding !== '';
  }

  /** The encoding in use (utf8 until a non-ASCII byte has decided). */
  get encoding(): Encoding {
    return this.enc ?? 'utf8';
  }

  push(chunk: Buffer): string {
    return this.decode(chunk, false);
  }

  end(): string {
    return this.decode(Buffer.alloc(0), true);
  }

  private decode(chunk: Buffer, final: boolean): string {
    let buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    if (!this.started) {
      if (buf.length < 3 && !final) {
        this.carry = buf;
        return '';
      }
      this.started = true;
      if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
        throw lineError('UNSUPPORTED_ENCODING', 1, 'The file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8 or GBK', '文件为 UTF-16 编码，请另存为 UTF-8 或 GBK 编码后重试');
      }
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
        this.bom = true;
        if (this.forced && this.enc !== 'utf8') {
          throw lineError('BOM_MISMATCH', 1, `The file starts with a UTF-8 byte-order mark but --encoding says ${NAME[this.enc!]}; the file was not imported`, `文件开头标明为 UTF-8 编码，与指定的编码 ${NAME[this.enc!]} 不符，整个文件未导入`);
        }
        this.enc = 'utf8';
        buf = buf.subarray(3);
      }
    }
    if (this.enc === null) {
      const verdict = guess(buf, final);
      if (verdict === null) {
        this.line += countNewlines(buf);
        return buf.toString('latin1'); // ASCII only
      }
      if (typeof verdict === 'object') {
        const line = this.line + countNewlines(buf, verdict.ambiguousAt);
        throw lineError('ENCODING_AMBIGUOUS', line, `The file reads as valid UTF-8 and as valid GBK with different text (line ${line}), and nothing else in it tells which; nothing was imported. Give --encoding utf8 or --encoding gbk`, `无法判断文件的编码（第 ${line} 行按 UTF-8 和 GBK 读出的文字不同），整个文件未导入，请指定文件编码后重试`);
      }
      this.enc = verdict;
    }
    if (this.enc === 'utf8') {
      const cut = final ? buf.length : utf8Cut(buf);
      const part = cut === buf.length ? buf : buf.subarray(0, cut);
      if (cut < buf.length) this.carry = Buffer.from(buf.subarray(cut));
      if (!isUtf8(part)) {
        const at = firstInvalidUtf8(part);
        const line = this.line + countNewlines(part, at);
        if (this.bom) {
          throw lineError('BOM_MISMATCH', line, `The file starts with a UTF-8 byte-order mark but line ${line} is not UTF-8 (GBK bytes?); the file was not imported`, `文件开头标明为 UTF-8 编码，但第 ${line} 行不是 UTF-8 编码（可能是 GBK），整个文件未导入`);
        }
        const how = this.forced ? 'as --encoding says' : 'as its earlier lines are';
        throw lineError('ENCODING_MISMATCH', line, `Line ${line} is not valid UTF-8 (the file is read as UTF-8, ${how}); one file must use one encoding throughout, so nothing was imported`, `文件第 ${line} 行不是有效的 UTF-8 编码（文件其余部分为 UTF-8），同一文件须使用同一种编码，整个文件未导入`);
      }
      if (!this.forced) {
        // GBK Chinese that happens to be valid UTF-8 reads as accented Latin, Greek or Cyrillic.
        const checked = this.lineTail.length > 0 ? Buffer.concat([this.lineTail, part]) : part;
        const upto = final ? checked.length : checked.lastIndexOf(10) + 1;
        const foreign = gbkLineInUtf8(checked, upto);
        this.lineTail = Buffer.from(checked.subarray(upto));
        if (foreign !== -1) {
          const line = this.line + countNewlines(checked, foreign);
          throw lineError('ENCODING_MISMATCH', line, `Line ${line} reads as GBK Chinese in a UTF-8 file (as UTF-8 it is only accented Latin, Greek or Cyrillic letters); nothing was imported. If the line is right, give --encoding utf8`, `文件第 ${line} 行疑似 GBK 编码的中文（文件其余部分为 UTF-8 编码），整个文件未导入`);
        }
      }
      this.line += countNewlines(part);
      return part.toString('utf8');
    }
    // A UTF-8 line in a file read as GBK would decode "validly" into other characters: refuse it.
    const checked = this.lineTail.length > 0 ? Buffer.concat([this.lineTail, buf]) : buf;
    const lastNl = checked.lastIndexOf(10);
    const upto = final ? checked.length : lastNl + 1;
    const foreign = utf8LineInGbk(checked, upto);
    this.lineTail = Buffer.from(checked.subarray(upto));
    if (foreign !== -1) {
      const line = this.line + countNewlines(checked, foreign);
      const name = NAME[this.enc];
      throw lineError('ENCODING_MISMATCH', line, `Line ${line} is UTF-8 but the file is read as ${name}; one file must use one encoding throughout, so nothing was imported`, `文件第 ${line} 行为 UTF-8 编码，而文件其余部分为 ${name} 编码，同一文件须使用同一种编码，整个文件未导入`);
    }
    this.gb ??= iconv.getDecoder(this.enc);
    let text = this.gb.write(buf);
    if (final) text += this.gb.end() ?? '';
    const bad = text.indexOf('\uFFFD');
    if (bad !== -1) {
      let line = this.line;
      for (let i = text.indexOf('\n'); i !== -1 && i < bad; i = text.indexOf('\n', i + 1)) line++;
      const name = NAME[this.enc];
      const how = this.forced ? 'as --encoding says' : 'as its first non-ASCII lines are';
      throw lineError('ENCODING_MISMATCH', line, `Line ${line} is not valid ${name} (the file is read as ${name}, ${how}); one file must use one encoding throughout, so nothing was imported`, `文件第 ${line} 行不是有效的 ${name} 编码（文件其余部分为 ${name}），同一文件须使用同一种编码，整个文件未导入`);
    }
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.line++;
    return text;
  }
}

/** Decodes a whole buffer with the same rules (small files, tests). */
export function decodeBuffer(buf: Buffer, encoding?: string): { text: string; encoding: Encoding } {
  const d = new StreamDecoder(encoding);
  const text = d.push(buf) + d.end();
  return { text, encoding: d.encoding };
}
