// Migration 101. The 药品追溯码 of each box sold, keyed by the journal line it was sold on. A code is sold once:
// the primary key refuses a second sale of the same box at this counter even if the pipeline's
// own check were bypassed. Written in the sale's commit transaction (core/sale/commit.ts).
import type { Migration } from './index.ts';

export const lineTraceCodesMigration: Migration = {
  version: 101,
  name: 'drug trace codes per sold line',
  up(db) {
    db.exec(`CREATE TABLE line_trace_codes (
      code TEXT PRIMARY KEY CHECK (length(code) = 20 AND code NOT GLOB '*[^0-9]*'),
      line_id TEXT NOT NULL REFERENCES settlement_line(id),
      settlement_id TEXT NOT NULL REFERENCES settlement(id),
      sold_at TEXT NOT NULL
    ) STRICT`);
    db.exec(`CREATE INDEX line_trace_codes_line ON line_trace_codes (line_id)`);
  },
};
