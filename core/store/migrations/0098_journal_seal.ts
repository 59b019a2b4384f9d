// The journal seals itself: a keyed MAC per record (key apart from the database, see
// ../journal-key.ts) and anchors of the chain's head. The records already written get no MAC
// (they are immutable); one 'seal' anchor, MAC'd now, vouches for them through the hash chain.
// Numbered after every existing migration so a database already at the latest version runs it.
import type { Migration } from './index.ts';
import { anchorMac, GENESIS_HASH } from '../journal.ts';

export const journalSealMigration: Migration = {
  version: 98,
  name: 'journal seal: settlement.mac, journal_anchor',
  up(db) {
    db.exec(`ALTER TABLE settlement ADD COLUMN mac TEXT`);
    db.exec(`CREATE TABLE journal_anchor (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('seal', 'day')),
      anchor_date TEXT,
      seq INTEGER NOT NULL CHECK (seq >= 0),
      hash TEXT NOT NULL CHECK (length(hash) = 64),
      mac TEXT NOT NULL CHECK (length(mac) = 64),
      created_at TEXT NOT NULL
    ) STRICT`);
    db.exec(`CREATE UNIQUE INDEX journal_anchor_one_seal ON journal_anchor (kind) WHERE kind = 'seal'`);
    db.exec(`CREATE TRIGGER journal_anchor_no_update BEFORE UPDATE ON journal_anchor
      BEGIN SELECT RAISE(ABORT, 'journal anchors are immutable (日志锚点不可修改)'); END`);
    db.exec(`CREATE TRIGGER journal_anchor_no_delete BEFORE DELETE ON journal_anchor
      BEGIN SELECT RAISE(ABORT, 'journal anchors are never deleted (日志锚点不可删除)'); END`);
    const head = (db.prepare('SELECT seq, hash FROM settlement ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
    const seal = { kind: 'seal' as const, anchor_date: null, seq: head.seq, hash: head.hash };
    db.prepare('INSERT INTO journal_anchor (kind, anchor_date, seq, hash, mac, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      seal.kind, seal.anchor_date, seal.seq, seal.hash, anchorMac(db, seal), new Date().toISOString(),
    );
  },
};
