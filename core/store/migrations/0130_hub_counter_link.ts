// What a counter keeps of its link to the group's hub (core/hub/counter-link.ts):
// - hub_pool_figure: the last figure the hub gave for a patient's year (what every counter had
//   paid, with the holds), and this counter's push cursor when it was read, so that offline the
//   counter prices from that figure plus its own records after the cursor;
// - settlement_pool_figure: for each sale settled with a hub configured, whose figure of the
//   year's used amount it was priced from (the group's, or this counter's only) and as of when,
//   for the receipt and the screen;
// - hub_trace_claim: trace codes of a sale the hub has not confirmed (settled while it was away),
//   claimed when it comes back; a code the hub says was sold elsewhere meanwhile is a conflict,
//   kept for the operator (never deleted, never edits the sale).
import type { Migration } from './index.ts';

export const hubCounterLinkMigration: Migration = {
  version: 130,
  name: 'hub_counter_link',
  up(db) {
    db.exec(`CREATE TABLE hub_pool_figure (
      psn_no TEXT NOT NULL,
      year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
      fund TEXT NOT NULL,
      pushed_seq INTEGER NOT NULL CHECK (pushed_seq >= 0),
      as_of TEXT NOT NULL,
      PRIMARY KEY (psn_no, year)
    ) STRICT`);
    db.exec(`CREATE TABLE settlement_pool_figure (
      settlement_id TEXT PRIMARY KEY REFERENCES settlement (id),
      source TEXT NOT NULL CHECK (source IN ('group', 'counter')),
      used TEXT NOT NULL,
      as_of TEXT
    ) STRICT`);
    db.exec(`CREATE TABLE hub_trace_claim (
      settlement_id TEXT NOT NULL REFERENCES settlement (id),
      code TEXT NOT NULL CHECK (length(code) = 20 AND code NOT GLOB '*[^0-9]*'),
      state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'conflict')),
      other_counter TEXT,
      other_settlement TEXT,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (settlement_id, code)
    ) STRICT`);
    db.exec(`CREATE INDEX hub_trace_claim_state ON hub_trace_claim (state)`);
  },
};
