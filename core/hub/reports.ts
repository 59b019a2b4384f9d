// The group's reports: the same monthly reports and statistics a lone counter prints (seed 003
// 附件4/5/6, seed 000 §二.(五).12), computed over the hub's copy of every member's journal —
// one per member institution and one for the whole group. The month's records and the roster are
// loaded into an in-memory SQLite with the counter's own schema, so the report code is the one
// every counter uses, not a second implementation.
import { buildReport, type ReportDoc } from '../reports/index.ts';
import { openDatabaseFile, type DB } from '../store/db.ts';
import { applyRosterPage } from '../store/hub-sync.ts';
import { institutionsInPeriod, journalForPeriod, rosterPages, type HubPool } from '../store/hub-db.ts';
import { insertLine, insertSettlement } from '../store/journal.ts';
import { setSetting } from '../store/settings.ts';

export interface GroupReports {
  /** One per member institution that settled in the month, by institution code. */
  members: { code: string; name: string; report: ReportDoc }[];
  /** The whole group, reported under the group's name as 填报单位. */
  group: ReportDoc;
}

function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

async function reportDb(pool: HubPool, month: string, unit: { code: string; name: string }, institutionCode?: string, withRoster?: DB): Promise<DB> {
  const db = openDatabaseFile(':memory:');
  const { from, to } = monthBounds(month);
  const records = await journalForPeriod(pool, from, to, institutionCode);
  // Each counter numbers its own receipts, so two counters (of one institution, or two stores of a
  // chain) can both hold S…00001: in the report's copy a repeated number gets the count of its repeat.
  const receipts = new Map<string, number>();
  db.transaction(() => {
    setSetting(db, 'institution.code', unit.code);
    setSetting(db, 'institution.name', unit.name);
    for (const r of records) {
      const { seq: _seq, ...row } = r.settlement;
      const seen = receipts.get(row.receipt_no) ?? 0;
      receipts.set(row.receipt_no, seen + 1);
      const again = seen === 0 ? '' : `/${seen + 1}`;
      insertSettlement(db, { ...row, receipt_no: `${row.receipt_no}${again}` });
      for (const l of r.lines) insertLine(db, { ...l, feedetl_sn: `${l.feedetl_sn}${again}` });
    }
  })();
  if (withRoster) {
    // Every unit of the group counts the group's insured population (the roster the hub holds).
    const rows = withRoster.prepare('SELECT * FROM patients').all() as Parameters<typeof applyRosterPage>[1][number][];
    for (let i = 0; i < rows.length; i += 20_000) applyRosterPage(db, rows.slice(i, i + 20_000), 0, new Date().toISOString());
  }
  return db;
}

export async function groupReports(pool: HubPool, name: string, month: string, group: { code: string; name: string }, now = new Date()): Promise<GroupReports> {
  const roster = openDatabaseFile(':memory:');
  for await (const page of rosterPages(pool)) applyRosterPage(roster, page, 0, now.toISOString());
  try {
    const { from, to } = monthBounds(month);
    const members = [];
    for (const inst of await institutionsInPeriod(pool, from, to)) {
      const db = await reportDb(pool, month, inst, inst.code, roster);
      try {
        members.push({ ...inst, report: buildReport(db, name, month, now) });
      } finally {
        db.close();
      }
    }
    const db = await reportDb(pool, month, group, undefined, roster);
    try {
      return { members, group: buildReport(db, name, month, now) };
    } finally {
      db.close();
    }
  } finally {
    roster.close();
  }
}
