// Migration 120. A sale line can be returned in parts (two boxes today, the third next week), so
// several return lines may point at the same sale line: reverses_line_id loses its UNIQUE (a
// column constraint, so the table is rebuilt) and gets a plain index. How much of a line is left
// is the sale's quantity and amounts less every return line's (core/settlement/partial-return.ts).
// The rows are copied as they are: their content, and so the journal's hash chain, is unchanged.
import type { Migration } from './index.ts';

export const partialLineReturnsMigration: Migration = {
  version: 120,
  name: 'settlement lines returnable in parts',
  up(db) {
    // A column constraint changes only by rebuilding the table. Migrations run inside one
    // transaction, where foreign_keys cannot be switched off, and SQLite rewrites other tables'
    // references on a rename; so the rows are set aside (with their rowids: lines and trace codes
    // are read in rowid order), the one table referring to the lines (trace codes) is emptied,
    // settlement_line is dropped and created anew under its own name, and everything goes back.
    db.exec('CREATE TABLE hold_lines_120 AS SELECT rowid AS rid, * FROM settlement_line');
    db.exec('CREATE TABLE hold_trace_120 AS SELECT rowid AS rid, * FROM line_trace_codes');
    db.exec('DELETE FROM line_trace_codes');
    // DROP TABLE's implicit delete fires no trigger (the old table's triggers go with it).
    db.exec('DROP TABLE settlement_line');
    db.exec(`CREATE TABLE settlement_line (
      id TEXT PRIMARY KEY,
      settlement_id TEXT NOT NULL REFERENCES settlement(id),
      line_no INTEGER NOT NULL,
      feedetl_sn TEXT NOT NULL UNIQUE,
      quote_line_id TEXT NOT NULL,
      catalog_code TEXT NOT NULL,
      own_code TEXT,
      name TEXT NOT NULL,
      quantity TEXT NOT NULL,
      price TEXT NOT NULL,
      total TEXT NOT NULL,
      in_scope TEXT NOT NULL,
      fund TEXT NOT NULL,
      patient_pay TEXT NOT NULL,
      rate TEXT NOT NULL,
      covered INTEGER NOT NULL,
      facts_json TEXT NOT NULL,
      reverses_line_id TEXT REFERENCES settlement_line(id),
      UNIQUE (settlement_id, line_no)
    ) STRICT`);
    const lineCols = 'id, settlement_id, line_no, feedetl_sn, quote_line_id, catalog_code, own_code, name, quantity, price, total, in_scope, fund, patient_pay, rate, covered, facts_json, reverses_line_id';
    db.exec(`INSERT INTO settlement_line (rowid, ${lineCols}) SELECT rid, ${lineCols} FROM hold_lines_120 ORDER BY rid`);
    db.exec('INSERT INTO line_trace_codes (rowid, code, line_id, settlement_id, sold_at) SELECT rid, code, line_id, settlement_id, sold_at FROM hold_trace_120 ORDER BY rid');
    db.exec('DROP TABLE hold_lines_120');
    db.exec('DROP TABLE hold_trace_120');
    db.exec('CREATE INDEX settlement_line_by_reversed ON settlement_line (reverses_line_id) WHERE reverses_line_id IS NOT NULL');
    db.exec(`CREATE TRIGGER settlement_line_no_update BEFORE UPDATE ON settlement_line
      BEGIN SELECT RAISE(ABORT, 'settlement records are immutable: record a reversal instead (结算记录不可修改)'); END`);
    db.exec(`CREATE TRIGGER settlement_line_no_delete BEFORE DELETE ON settlement_line
      BEGIN SELECT RAISE(ABORT, 'settlement records are never deleted (结算记录不可删除)'); END`);
  },
};
