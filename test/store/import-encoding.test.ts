// Import never garbles: a file valid in one encoding throughout or refused naming the first bad
// line (also when the bad bytes, or a character, fall across a 1 MB read), a BOM that
// contradicts the content refused, a name never overwritten by its own mojibake or by U+FFFD,
// JSON depth and record size bounded with a clear error, and a file refused half-way leaves
// nothing written. Through the library and through the CLI (English JSON, exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { InputError } from '../../core/contract/problems.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { countPatients, findPatient } from '../../core/store/roster.ts';
import { importRosterFile } from '../../core/import/roster.ts';
import { importCatalogFile, importCatalogText } from '../../core/import/catalog.ts';
import { getCatalogItem } from '../../core/store/catalog.ts';
import { syntheticCertno } from '../../core/import/synthetic.ts';
import { CHUNK_BYTES } from '../../core/import/input.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'lbc-import-encoding-'));
const HEADER = 'psn_no,certno,name,insutype,region,conditions';
const NAMES = ['张三', '李四', '王五', '赵六', '钱七', '孙八', '周九', '吴十'];
const row = (i: number, name = NAMES[i % NAMES.length]!) => `P${String(i).padStart(6, '0')},${syntheticCertno('530902', '19560312', i % 1000)},${name},390,530902,高血压`;

function write(bytes: Buffer | string, name = 'roster.csv'): string {
  const file = join(tmp(), name);
  writeFileSync(file, bytes);
  return file;
}

/** The InputError thrown by fn (fails when fn does not throw one). */
function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `an InputError, not ${(e as Error)?.name}: ${(e as Error)?.message}`);
    return e;
  }
  assert.fail('the file was accepted');
}

function seeded(): DB {
  const db = openDatabase(tmp());
  const r = importRosterFile(db, write([HEADER, ...NAMES.map((_, i) => row(i))].join('\n') + '\n'));
  assert.equal(r.inserted, NAMES.length);
  return db;
}

const names = (db: DB) => (db.prepare('SELECT name FROM patients ORDER BY psn_no').all() as { name: string }[]).map((r) => r.name);

test('a UTF-8 file with one GBK row is refused naming that line; nothing is written', () => {
  const lines = [HEADER, row(0), row(1), row(2)];
  const bytes = Buffer.concat([Buffer.from(lines.join('\n') + '\n', 'utf8'), iconv.encode(row(3, '赵六') + '\n', 'gbk'), Buffer.from(row(4) + '\n', 'utf8')]);
  const file = write(bytes);
  const db = openDatabase(tmp());
  const e = refusal(() => importRosterFile(db, file, { parallel: false }));
  assert.equal(e.code, 'ENCODING_MISMATCH');
  assert.match(e.message, /Line 5 is not valid UTF-8/);
  assert.match(e.messageZh, /第 5 行/);
  assert.equal(e.problems[0]!.path, 'line.5');
  assert.equal(countPatients(db), 0, 'refused as a whole');
  // The two-core first load refuses it the same way.
  const par = refusal(() => importRosterFile(openDatabase(tmp()), file, { parallel: true }));
  assert.deepEqual([par.code, par.message], [e.code, e.message]);
});

test('a UTF-8 file with a GBK row that happens to be valid UTF-8 (伟强 → ΰǿ) is refused naming it; --encoding utf8 accepts what it is told', () => {
  assert.equal(iconv.encode('伟强', 'gbk').toString('utf8'), 'ΰǿ', 'the GBK bytes are valid UTF-8');
  const bytes = Buffer.concat([Buffer.from([HEADER, row(0), row(1)].join('\n') + '\n', 'utf8'), iconv.encode(row(2, '伟强').replace('高血压', 'hypertension') + '\n', 'gbk')]);
  const db = openDatabase(tmp());
  const e = refusal(() => importRosterFile(db, write(bytes)));
  assert.deepEqual([e.code, e.problems[0]!.path], ['ENCODING_MISMATCH', 'line.4']);
  assert.equal(countPatients(db), 0);
  assert.equal(importRosterFile(db, write(bytes), { encoding: 'utf8' }).inserted, 3);
  assert.equal(findPatient(db, { psnNo: row(2).split(',')[0]! })!.name, 'ΰǿ');
  // Accented Latin letters on a line that also holds Chinese are not taken for GBK.
  const latin = importRosterFile(openDatabase(tmp()), write([HEADER, row(0), row(1, 'José')].join('\n') + '\n'));
  assert.deepEqual([latin.inserted, latin.rejected], [2, 0]);
});

test('a file that reads validly as UTF-8 and as GBK, nothing telling which, is refused as ambiguous; --encoding settles it', () => {
  // 强 in GBK is C7 BF, which is also UTF-8 for ǿ.
  const bytes = iconv.encode(`${HEADER}\n${row(0, '强').replace('高血压', 'both')}\n`, 'gbk');
  assert.equal(bytes.toString('utf8').includes('ǿ'), true);
  const db = openDatabase(tmp());
  const e = refusal(() => importRosterFile(db, write(bytes)));
  assert.deepEqual([e.code, e.problems[0]!.path], ['ENCODING_AMBIGUOUS', 'line.2']);
  assert.match(e.messageZh, /无法判断文件的编码/);
  assert.equal(importRosterFile(db, write(bytes), { encoding: 'gbk' }).inserted, 1);
  assert.equal(names(db)[0], '强');
  // The same name in a file with other Chinese is read as GBK without asking.
  const more = importRosterFile(openDatabase(tmp()), write(iconv.encode(`${HEADER}\n${row(0, '强')}\n${row(1)}\n`, 'gbk')));
  assert.deepEqual([more.inserted, more.encoding], [2, 'gb18030']);
});

test('a GBK file with one UTF-8 row is refused naming that line (it would read as other, valid characters)', () => {
  const gbk = (t: string) => iconv.encode(t, 'gbk');
  const bytes = Buffer.concat([gbk([HEADER, row(0), row(1), row(2)].join('\n') + '\n'), Buffer.from(row(3, '赵六') + '\n', 'utf8'), gbk(row(4) + '\n')]);
  // What GB18030 makes of that row: no replacement character, just other names.
  assert.ok(!iconv.decode(Buffer.from('赵六', 'utf8'), 'gb18030').includes('\uFFFD'));
  const db = openDatabase(tmp());
  const e = refusal(() => importRosterFile(db, write(bytes), { parallel: false }));
  assert.equal(e.code, 'ENCODING_MISMATCH');
  assert.equal(e.problems[0]!.path, 'line.5');
  assert.equal(countPatients(db), 0);
  // Declared as GBK: refused the same way.
  assert.equal(refusal(() => importRosterFile(db, write(bytes), { encoding: 'gbk' })).problems[0]!.path, 'line.5');
  // The same names all in GBK import as they are.
  const clean = importRosterFile(db, write(gbk([HEADER, row(0), row(1), row(2), row(3, '赵六'), row(4)].join('\n') + '\n')));
  assert.deepEqual([clean.inserted, clean.rejected, clean.encoding], [5, 0, 'gb18030']);
  assert.deepEqual(names(db), ['张三', '李四', '王五', '赵六', '钱七']);
});

test('a GBK file with a UTF-8 BOM is refused (BOM_MISMATCH) and leaves every stored name as it was', () => {
  const db = seeded();
  const before = names(db);
  const changed = [HEADER, ...NAMES.map((_, i) => row(i, `${NAMES[i]}X`))].join('\n') + '\n';
  const file = write(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(changed, 'gbk')]));
  const e = refusal(() => importRosterFile(db, file));
  assert.equal(e.code, 'BOM_MISMATCH');
  assert.equal(e.problems[0]!.path, 'line.2');
  assert.deepEqual(names(db), before);
  assert.ok(names(db).every((n) => !n.includes('\uFFFD')));
  // A BOM against a declared encoding is refused too.
  assert.equal(refusal(() => importRosterFile(db, file, { encoding: 'gbk' })).code, 'BOM_MISMATCH');
  // A UTF-16 file is named as such, not read as bytes.
  assert.equal(refusal(() => importRosterFile(db, write(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(changed, 'utf16le')])))).code, 'UNSUPPORTED_ENCODING');
});

test('--encoding does not switch the check off: a UTF-8 row in a file declared GBK is refused naming its line', () => {
  const bytes = Buffer.concat([iconv.encode([HEADER, row(0), row(1)].join('\n') + '\n', 'gbk'), Buffer.from([0xff, 0x41, 0x0a])]);
  const e = refusal(() => importRosterFile(openDatabase(tmp()), write(bytes), { encoding: 'gbk' }));
  assert.equal(e.code, 'ENCODING_MISMATCH');
  assert.equal(e.problems[0]!.path, 'line.4');
});

/** A multi-byte character spans byte CHUNK_BYTES - 1 and CHUNK_BYTES (every character here is ASCII or CJK). */
function straddles(bytes: Buffer, enc: 'utf8' | 'gbk'): boolean {
  let i = 0;
  while (i < CHUNK_BYTES) {
    const b = bytes[i]!;
    i += b < 0x80 ? 1 : enc === 'gbk' ? 2 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
  }
  return i > CHUNK_BYTES;
}

test('across 1 MB reads: a character split between chunks decodes whole (UTF-8 and GBK), and a bad line far in is named exactly', () => {
  for (const enc of ['utf8', 'gbk'] as const) {
    const lines = [HEADER];
    let size = 0;
    let i = 0;
    // Enough rows to pass two chunk boundaries; odd-length names shift every boundary.
    while (size < CHUNK_BYTES * 2.2) {
      const r = row(i, NAMES[i % NAMES.length]! + (i % 3 === 0 ? '华' : ''));
      lines.push(r);
      size += Buffer.byteLength(r, enc === 'utf8' ? 'utf8' : 'latin1') + 1;
      i++;
    }
    // Blank lines before the header are skipped: shift the text until a character straddles the first boundary.
    let shift = 0;
    let bytes: Buffer = Buffer.alloc(0);
    for (; shift < 100; shift++) {
      const text = '\n'.repeat(shift) + lines.join('\n') + '\n';
      bytes = enc === 'utf8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gbk');
      if (straddles(bytes, enc)) break;
    }
    assert.ok(shift < 100, `${enc}: a character straddles the chunk boundary`);
    const db = openDatabase(tmp());
    const r = importRosterFile(db, write(bytes), { parallel: false });
    assert.equal(r.rejected, 0, JSON.stringify(r.rejections.slice(0, 2)));
    assert.equal(r.inserted, lines.length - 1);
    assert.equal(r.encoding, enc === 'utf8' ? 'utf8' : 'gb18030');
    const got = db.prepare("SELECT count(*) AS n FROM patients WHERE name LIKE '%\uFFFD%' OR name NOT GLOB '[张李王赵钱孙周吴]*'").get() as { n: number };
    assert.equal(got.n, 0, `${enc}: no garbled name`);
    // A bad line past the first chunk: named exactly, nothing written.
    const badLine = lines.length - 5; // 1-based line of lines[badLine - 1] (no shift here)
    const other = enc === 'utf8' ? iconv.encode(lines[badLine - 1]!, 'gbk') : Buffer.from([0xff, 0xff]);
    const head = enc === 'utf8' ? Buffer.from(lines.slice(0, badLine - 1).join('\n') + '\n', 'utf8') : iconv.encode(lines.slice(0, badLine - 1).join('\n') + '\n', 'gbk');
    const tail = enc === 'utf8' ? Buffer.from('\n' + lines.slice(badLine).join('\n') + '\n', 'utf8') : iconv.encode('\n' + lines.slice(badLine).join('\n') + '\n', 'gbk');
    const db2 = openDatabase(tmp());
    const e = refusal(() => importRosterFile(db2, write(Buffer.concat([head, other, tail])), { parallel: false }));
    assert.equal(e.code, 'ENCODING_MISMATCH');
    assert.equal(e.problems[0]!.path, `line.${badLine}`, enc);
    assert.equal(countPatients(db2), 0);
  }
});

test('a file refused half-way into a non-empty roster leaves nothing written (one transaction)', () => {
  const db = seeded();
  const before = db.prepare('SELECT * FROM patients ORDER BY psn_no').all();
  const lines = [HEADER, ...Array.from({ length: 30000 }, (_, i) => row(i + 100))];
  const bytes = Buffer.concat([Buffer.from(lines.join('\n') + '\n', 'utf8'), iconv.encode(row(50, '王五') + '\n', 'gbk')]);
  const e = refusal(() => importRosterFile(db, write(bytes)));
  assert.equal(e.problems[0]!.path, `line.${lines.length + 1}`);
  assert.deepEqual(db.prepare('SELECT * FROM patients ORDER BY psn_no').all(), before);
});

test('an update that would put mojibake or U+FFFD into a stored name is rejected; a real change of name goes through', () => {
  const db = seeded();
  // 张三's UTF-8 bytes read as GBK: what a wrong --encoding would have written.
  const mojibake = iconv.decode(Buffer.from('张三', 'utf8'), 'gbk');
  const latin = Buffer.from('李四', 'utf8').toString('latin1');
  const text = [HEADER, row(0, mojibake), row(1, latin), row(2, '王\uFFFD'), row(3, '赵陆')].join('\n') + '\n';
  const r = importRosterFile(db, write(Buffer.from(text, 'utf8')));
  assert.deepEqual([r.updated, r.rejected], [1, 3], JSON.stringify(r.rejections));
  assert.deepEqual(r.rejections.map((x) => [x.line, x.field, x.code]), [
    [2, 'name', 'GARBLED_UPDATE'],
    [3, 'name', 'GARBLED_UPDATE'],
    [4, 'name', 'GARBLED_TEXT'],
  ]);
  assert.ok(r.rejections.every((x) => /[\u4e00-\u9fff]/.test(x.messageZh) && !/[A-Z_]{5,}/.test(x.messageZh)));
  assert.deepEqual(names(db).slice(0, 4), ['张三', '李四', '王五', '赵陆']);
  // A new patient whose name holds U+FFFD is refused too.
  const fresh = importRosterFile(db, write(`${HEADER}\n${row(900, '周\uFFFD')}\n`));
  assert.deepEqual([fresh.inserted, fresh.rejections[0]?.code], [0, 'GARBLED_TEXT']);
});

test('catalog: generic and trade names are guarded the same way', () => {
  const db = openDatabase(tmp());
  const code = 'XC08CAA001A001010101001';
  importCatalogText(db, `code,generic_name,trade_name\n${code},苯磺酸氨氯地平片,络活喜\n`);
  const mojibake = iconv.decode(Buffer.from('苯磺酸氨氯地平片', 'utf8'), 'gb18030');
  const r = importCatalogText(db, `code,generic_name,trade_name\n${code},${mojibake},络活喜\n`);
  assert.deepEqual([r.updated, r.rejections[0]?.field, r.rejections[0]?.code], [0, 'generic_name', 'GARBLED_UPDATE']);
  assert.equal(getCatalogItem(db, code)!.generic_name, '苯磺酸氨氯地平片');
  const gbkInUtf8 = Buffer.concat([Buffer.from(`code,generic_name\n${code},氨氯地平\n`, 'utf8'), iconv.encode('XA10BAE054A001010101445,二甲双胍\n', 'gbk')]);
  assert.equal(refusal(() => importCatalogFile(db, write(gbkInUtf8, 'catalog.csv'))).problems[0]!.path, 'line.3');
});

test('JSON: a deeply nested roster is refused with JSON_TOO_DEEP (not a stack overflow); a huge record with RECORD_TOO_LARGE', () => {
  const deep = `{"rows":[{"psn_no":"P1","certno":"${syntheticCertno('530902', '19560312', 1)}","name":` + '['.repeat(200000) + ']'.repeat(200000) + '}]}';
  const db = openDatabase(tmp());
  const e = refusal(() => importRosterFile(db, write(deep, 'deep.json')));
  assert.equal(e.code, 'JSON_TOO_DEEP');
  assert.match(e.message, /record 1 .*nested more than 32 levels/);
  const big = JSON.stringify([{ psn_no: 'P1', name: 'x'.repeat(2 << 20) }]);
  assert.equal(refusal(() => importRosterFile(db, write(big, 'big.json'))).code, 'RECORD_TOO_LARGE');
  const broken = JSON.stringify([{ psn_no: 'P1', name: '张三' }]).slice(0, -3);
  assert.equal(refusal(() => importRosterFile(db, write(broken, 'broken.json'))).code, 'MALFORMED_JSON');
  assert.equal(countPatients(db), 0);
});

test('CLI: the refusals come back as English JSON on stderr with exit 2, never INTERNAL', () => {
  const dir = tmp();
  const deep = join(dir, 'deep.json');
  writeFileSync(deep, '[' + '['.repeat(100000) + ']'.repeat(100000) + ']');
  const mixed = join(dir, 'mixed.csv');
  writeFileSync(mixed, Buffer.concat([Buffer.from(`${HEADER}\n${row(0)}\n`, 'utf8'), iconv.encode(`${row(1)}\n`, 'gbk')]));
  for (const [file, code] of [[deep, 'JSON_TOO_DEEP'], [mixed, 'ENCODING_MISMATCH']] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'import', 'roster', file, '--data', join(dir, 'data')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    const err = JSON.parse(r.stderr).error;
    assert.equal(err.code, code);
    assert.doesNotMatch(err.message, /[\u4e00-\u9fff]/, 'English in CLI output');
    assert.match(err.messageZh, /[\u4e00-\u9fff]/);
  }
});
