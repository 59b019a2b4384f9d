// 1301 西药中成药目录 as a file: 1301 names it, 9102 downloads the zip (application/octet-stream),
// its tab-separated text (the 92 columns of A1o OutputDownload13) goes into the local catalog. The
// zip is hostile until read: a bomb, too many entries, something that is not a zip, a file larger
// than accepted, a refusal: each is a clear error and nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { strToU8, zipSync } from 'fflate';
import { cli } from '../helpers/cli.ts';
import { referenceProblems } from '../helpers/platform-fields.ts';
import { tempDir } from '../helpers/settlement.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { missingField } from '../../core/simulator/required.ts';
import { PlatformClient } from '../../core/platform/client.ts';
import { loadPlatformConfig } from '../../core/platform/config.ts';
import { PlatformSession } from '../../core/outbox/session.ts';
import { COLUMN_COUNT_1301, COLUMNS_1301, downloadCatalogueFile } from '../../core/outbox/catalogue.ts';
import { getCatalogItem, searchCatalog } from '../../core/store/catalog.ts';
import { requireInstitution } from '../../core/store/settings.ts';
import { InputError } from '../../core/contract/problems.ts';

const NEW = 'XA10BAD999A001010100001';

function fixtureDb(): { db: DB; dir: string } {
  const dir = tempDir('lbc-cat-');
  const db = openDatabase(dir);
  seedFixture(db, 'lincang');
  return { db, dir };
}

function deps(db: DB, url: string) {
  const client = new PlatformClient(url, { timeoutMs: 3000 });
  const config = loadPlatformConfig();
  return { client, d: { db, client, session: new PlatformSession(db, client, config), config, now: () => new Date() } };
}

test('1301 → 9102 through the strict simulator: the zip\'s rows go into the catalog; our own items keep their codes and prices', async () => {
  const { db, dir } = fixtureDb();
  const held = getCatalogItem(db, drugBarcode(1))!;
  const sim = await startSimulator({
    dataDir: tempDir('lbc-sim-'),
    registry: {
      catalogue: [
        { hilist_code: held.code, hilist_name: '改过的名字', chrgitm_lv: '02', spec: '99mg', ver: '3' },
        { hilist_code: NEW, hilist_name: '测试格列净片', prodname: '测格净', chrgitm_lv: '01', dosform_name: '片剂', spec: '10mg*14片', prodentp_name: '某某制药有限公司', aprvno: '国药准字H20240001', ver: '5' },
        { hilist_code: 'XC99ZZZ999A001010100009', hilist_name: '已失效药', vali_flag: '0', ver: '4' },
      ],
    },
  });
  const { client, d } = deps(db, sim.url);
  let dbOpen = true;
  try {
    const r = await downloadCatalogueFile(d, requireInstitution(db), { ver: '0' });
    assert.equal(r.declared, 3, 'data_cn as the platform declared it');
    assert.equal(r.rows, 2, 'the invalid row is not taken');
    assert.equal(r.version, '5', 'the highest 版本号: the ver to ask for next time');
    assert.match(r.file, /\.zip$/);
    const added = getCatalogItem(db, NEW)!;
    assert.deepEqual([added.generic_name, added.trade_name, added.dosage_form, added.spec, added.manufacturer, added.approval_no, added.drug_class], ['测试格列净片', '测格净', '片剂', '10mg*14片', '某某制药有限公司', '国药准字H20240001', '甲']);
    assert.ok(searchCatalog(db, '格列净').some((h) => h.code === NEW), 'searchable at once');
    const after = getCatalogItem(db, held.code)!;
    assert.equal(after.generic_name, held.generic_name, 'our name stays');
    assert.equal(after.spec, held.spec, 'our spec stays');
    assert.equal(after.retail_price, held.retail_price);
    assert.equal(after.drug_class, '乙', 'the class follows the platform');
    assert.equal(getCatalogItem(db, 'XC99ZZZ999A001010100009'), null);
    const sent = sim.db.prepare('SELECT infno, request_json FROM sim_message ORDER BY rowid').all() as { infno: string; request_json: string }[];
    assert.deepEqual(sent.map((m) => m.infno), ['9001', '1301', '9102']);
    for (const m of sent) assert.equal(missingField(JSON.parse(m.request_json)), null);
    const dl = JSON.parse(sent[2]!.request_json);
    assert.deepEqual(referenceProblems(dl), [], '9102 fsDownloadIn as the reference has it');
    assert.equal(dl.input.fsDownloadIn.filename, 'plc', 'A1i Input_9102: 下载【1301-1319】生成的文件，固定传入"plc"');
    // A later version only: nothing newer than 5, so nothing is taken.
    const again = await downloadCatalogueFile(d, requireInstitution(db), { ver: '5' });
    assert.equal(again.rows, 0);
    client.close();
    db.close();
    dbOpen = false;
    const viaCli = await cli(['catalogue-download', '--data', dir, '--endpoint', sim.url, '--file', '--ver', '4']);
    assert.equal(viaCli.status, 0, viaCli.stderr);
    const out = JSON.parse(viaCli.stdout) as { rows: number; version: string };
    assert.deepEqual([out.rows, out.version], [1, '5']);
    const bad = await cli(['catalogue-download', '--data', dir, '--endpoint', sim.url, '--file', '--ver', '5; drop']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /BAD_VER/);
  } finally {
    if (dbOpen) {
      client.close();
      db.close();
    }
    await sim.close();
  }
});

/** A platform that signs in, names a file with 1301 and answers 9102 with `file` (bytes, or a JSON reply). */
async function stubPlatform(file: Buffer | Record<string, unknown>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const env = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { infno: string };
      const json = (output: unknown) => res.end(JSON.stringify({ infcode: 0, inf_refmsgid: 'R', output }));
      if (env.infno === '9001') return json({ signinoutb: { sign_time: '2024-08-01 08:00:00', sign_no: 'SN1' } });
      if (env.infno === '1301') return json({ file_qury_no: 'F1', filename: 'plc1301.zip', dld_end_time: '2024-08-02', data_cn: '1' });
      if (Buffer.isBuffer(file)) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(file);
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(file));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

function line1301(code: string, name: string): string {
  const cols = new Array<string>(COLUMN_COUNT_1301).fill('');
  cols[COLUMNS_1301.code] = code;
  cols[COLUMNS_1301.genericName] = name;
  return cols.join('\t');
}

const limits = { maxZipBytes: 256 * 1024, maxEntries: 4, maxInflatedBytes: 1024 * 1024 };
const bombText = new Uint8Array(8 * 1024 * 1024).fill(0x41);

for (const [what, file, code, why] of [
  ['a zip bomb (8 MB of text in a few kB)', Buffer.from(zipSync({ 'a.txt': bombText }, { level: 9 })), 'CATALOGUE_FILE_REFUSED', /inflate|declare more than 1048576 bytes/],
  ['a bomb that declares a small size', (() => {
    const z = Buffer.from(zipSync({ 'a.txt': bombText }, { level: 9 }));
    z.writeUInt32LE(100, 22); // the local header's uncompressed size lies
    return z;
  })(), 'CATALOGUE_FILE_REFUSED', /inflates to more than 1048576 bytes/],
  ['too many entries', Buffer.from(zipSync(Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.txt`, strToU8(line1301(NEW, '药'))])))), 'CATALOGUE_FILE_REFUSED', /more than 4 entries/],
  ['something that is not a zip', Buffer.from('<html>gateway error</html>'.padEnd(64)), 'CATALOGUE_FILE_REFUSED', /not a zip/],
  ['a damaged zip', Buffer.from(zipSync({ 'a.txt': strToU8(line1301(NEW, '药').repeat(200)) })).subarray(0, 60), 'CATALOGUE_FILE_REFUSED', /damaged|cut off/],
  ['a zip larger than accepted', Buffer.concat([Buffer.from('PK'), Buffer.alloc(300 * 1024)]), 'CATALOGUE_DOWNLOAD_FAILED', /larger than 262144 bytes/],
  ['a zip with no text file', Buffer.from(zipSync({ 'readme.pdf': strToU8('x') })), 'CATALOGUE_FILE_REFUSED', /no \.txt file/],
  ['a refusal instead of the file', { infcode: -1, inf_refmsgid: 'R', err_msg: '文件已过期' }, 'CATALOGUE_DOWNLOAD_REFUSED', /refused: 文件已过期/],
] as const) {
  test(`9102 answered with ${what}: a clear error naming it, nothing written to the catalog`, async () => {
    const { db } = fixtureDb();
    const before = (db.prepare('SELECT count(*) AS n FROM catalog').get() as { n: number }).n;
    const stub = await stubPlatform(file);
    const { client, d } = deps(db, stub.url);
    try {
      await assert.rejects(downloadCatalogueFile(d, requireInstitution(db), { limits }), (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.equal(e.code, code);
        assert.match(e.message, why);
        assert.ok(e.messageZh.length > 0 && !/[a-z]{4,}/i.test(e.messageZh), `plain Chinese for the operator: ${e.messageZh}`);
        return true;
      });
      assert.equal((db.prepare('SELECT count(*) AS n FROM catalog').get() as { n: number }).n, before);
      assert.equal(getCatalogItem(db, NEW), null);
    } finally {
      client.close();
      db.close();
      await stub.close();
    }
  });
}

test('a well-formed file from any platform: UTF-8 with a BOM and CRLF lines; a line without code or name is counted, not taken', async () => {
  const { db } = fixtureDb();
  const text = `\uFEFF${line1301(NEW, '测试格列净片')}\r\nABC\t\t\r\n${line1301('', '无编码')}\r\n`;
  const stub = await stubPlatform(Buffer.from(zipSync({ '1301.txt': strToU8(text) })));
  const { client, d } = deps(db, stub.url);
  try {
    const r = await downloadCatalogueFile(d, requireInstitution(db), { limits });
    assert.equal(r.rows, 1);
    assert.deepEqual(r.skipped.map((s) => s.line), [2, 3]);
    assert.equal(getCatalogItem(db, NEW)!.generic_name, '测试格列净片');
  } finally {
    client.close();
    db.close();
    await stub.close();
  }
});
