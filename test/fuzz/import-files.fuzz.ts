// Roster and catalog files, generated: UTF-8 (with or without BOM), GBK or GB18030; CSV (CRLF
// or LF, quoting when needed or always, names with quotes, commas and line breaks) or JSON;
// and now and then a fault: one row in the other encoding, a UTF-8 BOM on GBK bytes, a cut,
// stray high bytes, a deeply nested JSON value. Whatever the file, the import never crashes
// (only InputError, never INTERNAL); a refusal names a line or a field and writes nothing; a
// file without a fault imports exactly the rows given (or, when it reads validly both as UTF-8
// and as GBK and nothing tells which, is refused as ambiguous); and no name in the database is ever
// garbled (U+FFFD, or anything but a name the file or the earlier roster gave).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { InputError } from '../../core/contract/problems.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { importRosterFile } from '../../core/import/roster.ts';
import { importCatalogFile } from '../../core/import/catalog.ts';
import type { ImportReport } from '../../core/import/engine.ts';
import { csvCell } from '../../core/import/csv.ts';
import { syntheticCertno, syntheticDrugCode } from '../../core/import/synthetic.ts';
import { fuzzParams } from './params.ts';

type Enc = 'utf8' | 'utf8bom' | 'gbk' | 'gb18030';
type Fault = { kind: 'none' } | { kind: 'otherRow'; at: number } | { kind: 'contraBom' } | { kind: 'cut'; at: number } | { kind: 'highBytes'; at: number; bytes: number[] } | { kind: 'deep'; at: number; depth: number };

const HANZI = [...'张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华'];
const GBK_ONLY = [...'镕喆堃昇'];
const ASTRAL = ['𠮷'];
const SPECIAL = ['·', ',', '"', ' ', '\n', '\r\n', 'A', 'b', '1', '""'];

function nameArb(enc: Enc): fc.Arbitrary<string> {
  const pool = [...HANZI, ...HANZI, ...HANZI, ...GBK_ONLY, ...SPECIAL, ...(enc === 'gbk' ? [] : ASTRAL)];
  return fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 6 }).map((parts) => {
    const t = parts.join('').trim();
    return t === '' ? '张' : t;
  });
}

interface FileCase {
  kind: 'roster' | 'catalog';
  format: 'csv' | 'json';
  enc: Enc;
  eol: '\n' | '\r\n';
  quoteAll: boolean;
  names: string[];
  /** Names already on file for the first `seeded` keys (imported cleanly before the case). */
  seedNames: string[];
  fault: Fault;
}

const caseArb = (kind: 'roster' | 'catalog'): fc.Arbitrary<FileCase> =>
  fc
    .record({
      format: fc.constantFrom<'csv' | 'json'>('csv', 'csv', 'json'),
      enc: fc.constantFrom<Enc>('utf8', 'utf8bom', 'gbk', 'gb18030'),
      eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
      quoteAll: fc.boolean(),
      count: fc.integer({ min: 1, max: 12 }),
      seeded: fc.integer({ min: 0, max: 5 }),
      faultKind: fc.constantFrom('none', 'none', 'otherRow', 'contraBom', 'cut', 'highBytes', 'deep'),
      at: fc.nat(),
      bytes: fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 3 }),
      depth: fc.integer({ min: 1, max: 5000 }),
    })
    .chain((c) =>
      fc.record({
        names: fc.array(nameArb(c.enc), { minLength: c.count, maxLength: c.count }),
        seedNames: fc.array(nameArb('gbk'), { minLength: Math.min(c.seeded, c.count), maxLength: Math.min(c.seeded, c.count) }),
      }).map(({ names, seedNames }): FileCase => {
        const fault: Fault =
          c.faultKind === 'otherRow' ? { kind: 'otherRow', at: c.at % names.length }
          : c.faultKind === 'contraBom' ? { kind: 'contraBom' }
          : c.faultKind === 'cut' ? { kind: 'cut', at: c.at }
          : c.faultKind === 'highBytes' ? { kind: 'highBytes', at: c.at, bytes: c.bytes }
          : c.faultKind === 'deep' ? { kind: 'deep', at: c.at % names.length, depth: c.depth }
          : { kind: 'none' };
        return { kind, format: c.format, enc: c.enc, eol: c.eol, quoteAll: c.quoteAll, names, seedNames, fault };
      }),
    );

const keyOf = (c: FileCase, i: number) => (c.kind === 'roster' ? `F${i}` : syntheticDrugCode('X', i));
const HEADERS = { roster: ['psn_no', 'certno', 'name', 'insutype', 'region', 'conditions'], catalog: ['code', 'generic_name', 'trade_name'] };

function record(c: FileCase, i: number, name: string): Record<string, string> {
  return c.kind === 'roster'
    ? { psn_no: keyOf(c, i), certno: syntheticCertno('530902', '19560312', i), name, insutype: '390', region: '530902', conditions: i % 2 ? '高血压' : 'both' }
    : { code: keyOf(c, i), generic_name: name, trade_name: i % 2 ? '商品' : '' };
}

const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;

/** The file's text, split as [head, row 0, row 1, …, tail] so a fault can re-encode one row. */
function pieces(c: FileCase, names: string[]): string[] {
  const headers = HEADERS[c.kind];
  if (c.format === 'json') {
    const rows = names.map((n, i) => {
      const r = record(c, i, n);
      if (c.fault.kind === 'deep' && c.fault.at === i) {
        return JSON.stringify(r).replace(JSON.stringify(n), '['.repeat(c.fault.depth) + ']'.repeat(c.fault.depth));
      }
      return JSON.stringify(r);
    });
    return ['[', ...rows.map((r, i) => (i === 0 ? r : `,${c.eol}${r}`)), `]${c.eol}`];
  }
  const cell = (v: string) => (c.quoteAll ? quote(v) : csvCell(v));
  const lines = names.map((n, i) => {
    const r = record(c, i, n);
    return headers.map((h) => cell(r[h]!)).join(',') + c.eol;
  });
  return [headers.map(cell).join(',') + c.eol, ...lines, ''];
}

function encode(text: string, enc: Enc): Buffer {
  if (enc === 'utf8') return Buffer.from(text, 'utf8');
  if (enc === 'utf8bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  return iconv.encode(text, enc);
}

/** The bytes of the case's file, and the 1-based line where each row starts. */
function fileBytes(c: FileCase): { bytes: Buffer; rowLine: number[] } {
  const parts = pieces(c, c.names);
  // The row put in the other encoding: one with Chinese in its name. (A UTF-8 row whose only
  // non-ASCII characters are two-byte ones, such as a lone '·', reads as valid GB2312 text in
  // a GBK file and cannot be told apart: core/import/decode.ts.)
  const han = c.names.map((n, i) => (/\p{Script=Han}/u.test(n) ? i : -1)).filter((i) => i !== -1);
  const otherRow = c.fault.kind === 'otherRow' && han.length > 0 ? han[c.fault.at % han.length]! : -1;
  const rowLine: number[] = [];
  let line = 1;
  const chunks: Buffer[] = [];
  parts.forEach((p, k) => {
    if (k >= 1 && k <= c.names.length) rowLine.push(line + (c.format === 'json' && k > 1 ? 1 : 0));
    const other = c.fault.kind === 'otherRow' && c.format === 'csv' && k === otherRow + 1;
    const enc: Enc = other ? (c.enc === 'utf8' || c.enc === 'utf8bom' ? 'gb18030' : 'utf8') : c.enc === 'utf8bom' && k > 0 ? 'utf8' : c.enc;
    chunks.push(encode(p, enc));
    line += (p.match(/\n/g) ?? []).length;
  });
  let bytes = Buffer.concat(chunks);
  if (c.fault.kind === 'contraBom' && (c.enc === 'gbk' || c.enc === 'gb18030')) bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  if (c.fault.kind === 'cut') bytes = bytes.subarray(0, Math.max(1, c.fault.at % (bytes.length + 1)));
  if (c.fault.kind === 'highBytes') {
    const at = c.fault.at % (bytes.length + 1);
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(c.fault.bytes), bytes.subarray(at)]);
  }
  return { bytes, rowLine };
}

function names(db: DB, c: FileCase): Map<string, string> {
  const sql = c.kind === 'roster' ? 'SELECT psn_no AS k, name AS n FROM patients' : 'SELECT code AS k, generic_name AS n FROM catalog';
  return new Map((db.prepare(sql).all() as { k: string; n: string }[]).map((r) => [r.k, r.n]));
}

const dump = (db: DB, c: FileCase) => db.prepare(c.kind === 'roster' ? 'SELECT * FROM patients ORDER BY psn_no' : 'SELECT * FROM catalog ORDER BY code').all();

function importAs(c: FileCase, db: DB, file: string, encoding?: string): ImportReport {
  // Two-core loads are covered by their own tests; here every case takes the same path.
  const options = { parallel: false, ...(encoding ? { encoding } : {}) };
  return c.kind === 'roster' ? importRosterFile(db, file, options) : importCatalogFile(db, file, options);
}

function check(c: FileCase): void {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-fuzz-import-'));
  try {
    const db = openDatabase(join(dir, 'db'));
    if (c.seedNames.length > 0) {
      const seedFile = join(dir, `seed.${c.format}`);
      writeFileSync(seedFile, Buffer.from(pieces({ ...c, fault: { kind: 'none' } }, c.seedNames).join(''), 'utf8'));
      const seeded = importAs(c, db, seedFile, 'utf8');
      assert.equal(seeded.rejected, 0, `seed: ${JSON.stringify(seeded.rejections)}`);
    }
    const before = dump(db, c);
    const { bytes, rowLine } = fileBytes(c);
    const file = join(dir, `file.${c.format}`);
    writeFileSync(file, bytes);
    let report: ImportReport;
    try {
      report = importAs(c, db, file);
    } catch (e) {
      assert.ok(e instanceof InputError, `never a crash: ${(e as Error)?.stack}`);
      assert.notEqual(e.code, 'INTERNAL');
      assert.ok(e.problems.length > 0 && e.problems.every((p) => /^line\.\d+$/.test(p.path) || p.path !== ''), `a refusal names a line or a field: ${JSON.stringify(e.toBody())}`);
      assert.match(e.messageZh, /[\u4e00-\u9fff]/);
      assert.deepEqual(dump(db, c), before, 'a refusal writes nothing');
      if (e.code === 'ENCODING_AMBIGUOUS') {
        // Only when the file truly reads both ways (e.g. one GBK name 强, C7 BF, which is also UTF-8 ǿ).
        const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
        assert.ok(isUtf8(body) && !iconv.decode(body, 'gb18030').includes('\uFFFD'), 'ambiguous means valid both ways');
        return;
      }
      if (c.fault.kind === 'none') assert.fail(`a clean file was refused: ${e.message}`);
      if (c.fault.kind === 'otherRow' && e.code === 'ENCODING_MISMATCH') {
        const line = Number(e.problems[0]!.path.slice(5));
        assert.ok(line >= 1 && line <= rowLine[rowLine.length - 1]! + 10, `a line of the file: ${line}`);
      }
      return;
    }
    const stored = names(db, c);
    for (const [k, n] of stored) assert.ok(!n.includes('\uFFFD'), `${k}: U+FFFD in ${JSON.stringify(n)}`);
    if (c.fault.kind === 'highBytes') return; // stray bytes may form valid characters: only U+FFFD is checkable
    c.names.forEach((given, i) => {
      const k = keyOf(c, i);
      const got = stored.get(k);
      const seed = c.seedNames[i];
      if (c.fault.kind === 'none' || c.fault.kind === 'otherRow' || c.fault.kind === 'contraBom') {
        // Accepted without a fault (or the odd row was in fact valid): exactly the rows given.
        assert.equal(got, given, `${k}: ${JSON.stringify(report.rejections.filter((r) => r.key === k))}`);
      } else {
        const ok = got === undefined ? seed === undefined : got === given || got === seed || (c.fault.kind === 'cut' && given.startsWith(got));
        assert.ok(ok, `${k}: ${JSON.stringify(got)} is neither ${JSON.stringify(given)} nor ${JSON.stringify(seed)}`);
      }
    });
    if (c.fault.kind === 'none') {
      assert.equal(report.rejected, 0, JSON.stringify(report.rejections));
      assert.equal(report.inserted + report.updated + report.unchanged, c.names.length);
      assert.equal(report.rows, c.names.length);
    }
    const keys = new Set(c.names.map((_, i) => keyOf(c, i)));
    for (const k of stored.keys()) assert.ok(keys.has(k), `no record the files did not give: ${k}`);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('fuzz: roster files never crash, refuse naming a line and write nothing, or import exactly the rows given, never a garbled name', () => {
  fc.assert(fc.property(caseArb('roster'), check), fuzzParams(40));
});

test('fuzz: catalog files, the same properties over drug names', () => {
  fc.assert(fc.property(caseArb('catalog'), check), fuzzParams(20));
});
