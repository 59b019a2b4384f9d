// The journal proves itself: a keyed MAC per record (key in journal.key, 0600, apart from the
// database) and day-close anchors. Issue 13 reproduction 4: drop the triggers, edit a record and
// re-hash it with the project's own function — verify must say so; cut the newest record — verify
// must say so against the last anchor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { JOURNAL_KEY_FILE } from '../../core/store/journal-key.ts';
import { insertAnchor, linesOf, listAnchors, type SettlementRow } from '../../core/store/journal.ts';
import { recordHash, verifyJournal } from '../../core/settlement/hash.ts';
import { renderDayCloseStatement, groupedHash } from '../../core/print/templates.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { closeDay } from '../../core/outbox/dayclose.ts';

function dropTriggers(db: DB): void {
  for (const t of ['settlement_no_update', 'settlement_no_delete', 'settlement_line_no_update', 'settlement_line_no_delete', 'journal_anchor_no_update', 'journal_anchor_no_delete']) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
}

function rows(db: DB): SettlementRow[] {
  return db.prepare('SELECT * FROM settlement ORDER BY seq').all() as SettlementRow[];
}

/** What an attacker with the database (not the key) does: edit one record, then re-hash it and every record after it. */
function editAndRehash(db: DB, seq: number, total: string): void {
  dropTriggers(db);
  db.prepare('UPDATE settlement SET total = ? WHERE seq = ?').run(total, seq);
  let prev: string | null = null;
  for (const r of rows(db)) {
    if (r.seq! < seq) {
      prev = r.hash;
      continue;
    }
    const row = { ...r, prev_hash: prev ?? r.prev_hash };
    const hash = recordHash(row, linesOf(db, r.id));
    db.prepare('UPDATE settlement SET prev_hash = ?, hash = ? WHERE seq = ?').run(row.prev_hash, hash, r.seq);
    prev = hash;
  }
}

test('the MAC key is a 0600 file beside the database, created on first start, and every record carries a MAC', () => {
  const { db, dir } = openTemp();
  const file = join(dir, JOURNAL_KEY_FILE);
  assert.ok(existsSync(file));
  if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
  settleSale(db);
  settleSale(db, { psnNo: 'P2' });
  const r = verifyJournal(db);
  assert.equal(r.ok, true);
  assert.equal(r.records, 2);
  assert.equal(r.sealed, 2);
  for (const row of rows(db)) assert.match(row.mac!, /^[0-9a-f]{64}$/);
  db.close();
});

test('reproduction 4a: an edited record re-hashed with the project hash function (triggers dropped) fails verify', () => {
  const { db } = openTemp();
  for (let i = 0; i < 3; i++) settleSale(db, { psnNo: `P${i}` });
  editAndRehash(db, 2, '0.01');
  const r = verifyJournal(db);
  assert.equal(r.ok, false);
  assert.equal(r.broken?.seq, 2);
  assert.match(r.broken!.problem, /MAC/);
  db.close();
});

test('reproduction 4b: deleting the newest record is detected against the last day-close anchor', () => {
  const { db } = openTemp();
  for (let i = 0; i < 3; i++) settleSale(db, { psnNo: `P${i}` });
  const anchor = db.transaction(() => insertAnchor(db, 'day', '2024-08-01', new Date().toISOString()))();
  assert.equal(anchor.seq, 3);
  assert.equal(verifyJournal(db).ok, true);
  assert.deepEqual(verifyJournal(db).lastAnchor, { date: '2024-08-01', seq: 3, hash: anchor.hash });
  dropTriggers(db);
  db.pragma('foreign_keys = OFF');
  db.prepare('DELETE FROM settlement_line WHERE settlement_id = (SELECT id FROM settlement WHERE seq = 3)').run();
  db.prepare('DELETE FROM settlement WHERE seq = 3').run();
  const r = verifyJournal(db);
  assert.equal(r.ok, false);
  assert.equal(r.broken, null, 'the chain itself still links');
  assert.ok(r.anchorProblems.some((p) => /no longer in the journal/.test(p)), r.anchorProblems.join('; '));
  db.close();
});

test('an anchor edited to match a cut journal fails its own MAC', () => {
  const { db } = openTemp();
  for (let i = 0; i < 2; i++) settleSale(db, { psnNo: `P${i}` });
  db.transaction(() => insertAnchor(db, 'day', '2024-08-01', new Date().toISOString()))();
  dropTriggers(db);
  const first = rows(db)[0]!;
  db.prepare(`UPDATE journal_anchor SET seq = 1, hash = ? WHERE kind = 'day'`).run(first.hash);
  const r = verifyJournal(db);
  assert.equal(r.ok, false);
  assert.ok(r.anchorProblems.some((p) => /MAC/.test(p)));
  db.close();
});

test('a journal copied without its key is not re-keyed: writers refuse to open, readers verify nothing', () => {
  const { db, dir } = openTemp();
  settleSale(db);
  db.close();
  unlinkSync(join(dir, JOURNAL_KEY_FILE));
  assert.throws(() => openDatabase(dir), (e: unknown) => (e as { code?: string }).code === 'JOURNAL_KEY_MISSING');
  assert.equal(existsSync(join(dir, JOURNAL_KEY_FILE)), false, 'no new key was written');
  const ro = openDatabase(dir, { readonly: true });
  const r = verifyJournal(ro);
  assert.equal(r.ok, false);
  assert.match(r.anchorProblems[0]!, /no journal key/);
  ro.close();
});

test('migration 98: records written before it stay verifiable through the seal anchor; later ones carry MACs', () => {
  // Three records written by a counter before migration 98 (copied from a sealed journal without their MACs).
  const source = openTemp();
  for (let i = 0; i < 3; i++) settleSale(source.db, { psnNo: `P${i}` });
  const legacy = rows(source.db).map((r) => ({ row: r, lines: linesOf(source.db, r.id) }));
  const dir = tempDir();
  const old = openDatabase(dir, { targetVersion: 81 });
  assert.equal(old.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'journal_anchor'`).get(), undefined);
  for (const { row, lines } of legacy) {
    const { seq: _s, mac: _m, ...cols } = row;
    old.prepare(`INSERT INTO settlement (${Object.keys(cols).join(', ')}) VALUES (${Object.keys(cols).map((k) => '@' + k).join(', ')})`).run(cols);
    for (const l of lines) old.prepare(`INSERT INTO settlement_line (${Object.keys(l).join(', ')}) VALUES (${Object.keys(l).map((k) => '@' + k).join(', ')})`).run(l);
  }
  old.close();
  const db = openDatabase(dir);
  assert.ok((db.pragma('user_version', { simple: true }) as number) >= 98);
  const seal = listAnchors(db).find((a) => a.kind === 'seal')!;
  assert.equal(seal.seq, 3);
  assert.equal(seal.hash, legacy[2]!.row.hash);
  let r = verifyJournal(db);
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.sealed, 0);
  settleSale(db, { psnNo: 'P9' });
  r = verifyJournal(db);
  assert.equal(r.ok, true);
  assert.equal(r.sealed, 1);
  // A legacy record (no MAC) edited and re-hashed: the seal anchor no longer matches.
  editAndRehash(db, 1, '0.01');
  r = verifyJournal(db);
  assert.equal(r.ok, false);
  db.close();
});

test('day close records an anchor of the head and the 日结 statement prints it', async () => {
  const { db } = openTemp();
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 2000, random: () => 0 });
  try {
    settleSale(db);
    settleSale(db, { psnNo: 'P2' });
    await up.drainOnce();
    const r = await closeDay(db, { date: '2024-08-01', endpoint: sim.url });
    assert.equal(r.anchor.seq, 2);
    assert.equal(r.anchor.hash, rows(db)[1]!.hash);
    assert.deepEqual(verifyJournal(db).lastAnchor, { date: '2024-08-01', seq: 2, hash: r.anchor.hash });
    const html = renderDayCloseStatement({ code: 'P53090100001', name: '临翔区测试大药房', typeZh: '定点零售药店' }, r, 'a5', '2024-08-01 20:00:00').html;
    assert.ok(html.includes(groupedHash(r.anchor.hash)));
    assert.match(html, /结算日志校验码（截至第 2 笔记录）/);
    assert.match(html, /医保结算日结单/);
    assert.doesNotMatch(html, /anchor|seq|hash/i);
  } finally {
    up.close();
    await sim.close();
    db.close();
  }
});
