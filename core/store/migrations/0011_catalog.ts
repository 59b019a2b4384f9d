// The drug catalog: one row per national medical-insurance code (医保药品代码), with the
// institution's own code and barcode, and an FTS5 index for the counter's search box.
// The FTS columns hold Chinese names one character per token (so a phrase query finds any
// substring, even two characters) and pinyin initials (氨氯地平 → aldp) for prefix search.
import type { Migration } from './index.ts';

export const catalogMigration: Migration = {
  version: 11,
  name: 'catalog',
  up(db) {
    db.exec(`CREATE TABLE catalog (
      id INTEGER PRIMARY KEY,
      code TEXT NOT NULL UNIQUE,
      own_code TEXT,
      barcode TEXT,
      generic_name TEXT NOT NULL,
      trade_name TEXT,
      dosage_form TEXT,
      spec TEXT,
      package_size TEXT,
      package_unit TEXT,
      min_unit TEXT,
      manufacturer TEXT,
      approval_no TEXT,
      drug_class TEXT CHECK (drug_class = '甲' OR drug_class = '乙'),
      category TEXT NOT NULL DEFAULT 'other' CHECK (category = 'antihypertensive' OR category = 'antidiabetic' OR category = 'other'),
      drug_group TEXT,
      vbp INTEGER NOT NULL DEFAULT 0 CHECK (vbp = 0 OR vbp = 1),
      vbp_price TEXT,
      payment_standard TEXT,
      retail_price TEXT,
      restriction TEXT,
      negotiated INTEGER NOT NULL DEFAULT 0 CHECK (negotiated = 0 OR negotiated = 1),
      essential INTEGER NOT NULL DEFAULT 0 CHECK (essential = 0 OR essential = 1),
      consistency INTEGER NOT NULL DEFAULT 0 CHECK (consistency = 0 OR consistency = 1),
      demo INTEGER NOT NULL DEFAULT 0 CHECK (demo = 0 OR demo = 1),
      note TEXT,
      pinyin TEXT NOT NULL DEFAULT '',
      content_hash TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT`);
    db.exec('CREATE INDEX catalog_own_code ON catalog (own_code) WHERE own_code IS NOT NULL');
    db.exec('CREATE INDEX catalog_barcode ON catalog (barcode) WHERE barcode IS NOT NULL');
    db.exec(`CREATE VIRTUAL TABLE catalog_fts USING fts5(names, pinyin, tokenize = 'unicode61', prefix = '2 3 4')`);
  },
};
