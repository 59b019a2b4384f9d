// Guards against garbled text reaching the database, beyond what the decoder refuses: a cell
// holding U+FFFD (a character already lost by some earlier conversion), and an update that
// would replace a stored name with its own mojibake, i.e. the same name's bytes read in the
// wrong encoding (UTF-8 read as GBK, or UTF-8 read as Latin-1). The stored name is compared
// before it is overwritten; a real change of name (张三 → 张叁) is not affected.
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import type { Problem } from '../contract/problems.ts';
import type { FieldSpec, RawCells } from '../contract/rows.ts';

/** The first cell holding U+FFFD, as a problem naming its field; null when none does. */
export function garbledCell(fields: readonly FieldSpec[], cells: RawCells): Problem | null {
  for (let i = 0; i < fields.length; i++) {
    const c = cells[i];
    if (c !== undefined && c.includes('\uFFFD')) {
      const f = fields[i]!;
      return {
        path: f.name,
        code: 'GARBLED_TEXT',
        message: `${f.name} holds U+FFFD (a character lost in an earlier conversion of the file); the row was not imported`,
        messageZh: `${f.zh[0]}含有乱码字符（文件此前转换编码时已损坏），该行未导入`,
      };
    }
  }
  return null;
}

/** `next` is `prev` read in the wrong encoding (or holds U+FFFD): writing it would garble a good name. */
export function isMojibakeOf(next: string | null, prev: string | null): boolean {
  if (next === null || prev === null || next === prev) return false;
  if (next.includes('\uFFFD')) return true;
  // UTF-8 bytes decoded as GBK/GB18030: the GB18030 bytes of `next` are the UTF-8 of `prev`.
  const gb = iconv.encode(next, 'gb18030');
  if (isUtf8(gb) && gb.toString('utf8') === prev) return true;
  // UTF-8 bytes decoded as Latin-1 / Windows-1252 (only characters below U+0100 then).
  if (/^[\u0000-\u00ff]*$/.test(next)) {
    const latin = Buffer.from(next, 'latin1');
    if (isUtf8(latin) && latin.toString('utf8') === prev) return true;
  }
  return false;
}

/** The problem for an update of `field` refused by isMojibakeOf. */
export function garbledUpdate(field: FieldSpec, next: string, prev: string): Problem {
  return {
    path: field.name,
    code: 'GARBLED_UPDATE',
    message: `${field.name} would change from the stored ${JSON.stringify(prev)} to ${JSON.stringify(next)}, the same text read in the wrong encoding; the row was not imported (check the file's encoding)`,
    messageZh: `${field.zh[0]}将被改为乱码（与原有内容相同但编码错误），该行未导入，请检查文件编码`,
  };
}
