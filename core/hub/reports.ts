// The group's reports: the same monthly reports and statistics a lone counter prints (seed 003
// 附件4/5/6, seed 000 §二.(五).12), computed over the hub's copy of every member's journal —
// one per member institution and one for the whole group. The month's records and the roster are
// loaded into an in-memory SQLite with the counter's own schema, so the report code is the one
// every counter uses, not a second implementation.
import { buildReport, type ReportDoc } from '../reports/index.ts';
import { openDatabaseFile, type DB } from '../store/db.ts';
import { applyRosterPage } from '../store/hub-sync.ts';
import { institutionsInPeriod, journalForPeriod, listPoolFlags, rosterPages, type HubPool } from '../store/hub-db.ts';
import type { HubLine, HubSettlement } from '../contract/hub.ts';
import { text, type ReportTable } from '../reports/model.ts';
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

type PeriodRecord = { settlement: HubSettlement; lines: HubLine[] };
interface CheckRow { kind: string; institutions: string[]; row: Record<string, string> }

/** Trace codes of one box in two sales of the period that still stand (none reversed): sold twice across the group while a counter was offline. */
function twiceSold(records: readonly PeriodRecord[]): CheckRow[] {
  const reversed = new Set(records.flatMap((r) => r.lines.flatMap((l) => (l.reverses_line_id ? [l.reverses_line_id] : []))));
  const sales = new Map<string, { s: HubSettlement; line: HubLine }[]>();
  for (const r of records) {
    if (r.settlement.kind !== 'sale') continue;
    for (const l of r.lines) {
      if (reversed.has(l.id)) continue;
      let codes: unknown;
      try {
        codes = (JSON.parse(l.facts_json) as { traceCodes?: unknown }).traceCodes;
      } catch {
        continue;
      }
      if (!Array.isArray(codes)) continue;
      for (const c of codes) if (typeof c === 'string') sales.set(c, [...(sales.get(c) ?? []), { s: r.settlement, line: l }]);
    }
  }
  const where = (x: { s: HubSettlement; line: HubLine }) => `${x.s.institution_name} 单据 ${x.s.receipt_no}（${x.s.settle_date}，${x.line.name}）`;
  return [...sales].filter(([, xs]) => xs.length > 1).map(([code, xs]) => ({
    kind: 'trace',
    institutions: xs.map((x) => x.s.institution_code),
    row: { item: '同一盒药重复销售', what: `追溯码 ${code}`, where: xs.map(where).join('；'), fund: '', cap: '' },
  }));
}

/** What the hub flagged in the period for someone to check: boxes sold twice, and patient-years paid past the cap across counters. */
async function checksTable(pool: HubPool, records: readonly PeriodRecord[], month: string): Promise<CheckRow[]> {
  const year = Number(month.slice(0, 4));
  const inPeriod = new Map(records.map((r) => [r.settlement.psn_no, r.settlement.institution_code] as const));
  const over = (await listPoolFlags(pool)).filter((f) => f.year === year && inPeriod.has(f.psn_no)).map((f) => ({
    kind: 'cap',
    institutions: [...new Set(records.filter((r) => r.settlement.psn_no === f.psn_no).map((r) => r.settlement.institution_code))],
    row: { item: '年度统筹支付超过限额', what: `人员编号 ${f.psn_no}（${f.year} 年度）`, where: '本组多个柜台合计', fund: f.fund, cap: f.cap },
  }));
  return [...twiceSold(records), ...over];
}

function checksFor(rows: readonly CheckRow[], institutionCode?: string): ReportTable {
  return {
    id: 'group-checks',
    title: 'Flagged by the hub for checking',
    titleZh: '中心核对提示（需核对事项）',
    columns: [text('item', 'item', '事项'), text('what', 'what', '对象'), text('where', 'where', '销售记录'), text('fund', 'fund paid in the year (yuan)', '年度统筹已付（元）'), text('cap', 'annual cap (yuan)', '年度限额（元）')],
    rows: rows.filter((r) => institutionCode === undefined || r.institutions.includes(institutionCode)).map((r) => r.row),
  };
}

/** The report with the hub's checks added when there are any (a report with nothing flagged is the counter's own, unchanged). */
function withChecks(doc: ReportDoc, rows: readonly CheckRow[], institutionCode?: string): ReportDoc {
  const t = checksFor(rows, institutionCode);
  return t.rows.length === 0 ? doc : { ...doc, tables: [...doc.tables, t] };
}

export async function groupReports(pool: HubPool, name: string, month: string, group: { code: string; name: string }, now = new Date()): Promise<GroupReports> {
  const roster = openDatabaseFile(':memory:');
  for await (const page of rosterPages(pool)) applyRosterPage(roster, page, 0, now.toISOString());
  try {
    const { from, to } = monthBounds(month);
    const checks = await checksTable(pool, await journalForPeriod(pool, from, to), month);
    const members = [];
    for (const inst of await institutionsInPeriod(pool, from, to)) {
      const db = await reportDb(pool, month, inst, inst.code, roster);
      try {
        members.push({ ...inst, report: withChecks(buildReport(db, name, month, now), checks, inst.code) });
      } finally {
        db.close();
      }
    }
    const db = await reportDb(pool, month, group, undefined, roster);
    try {
      return { members, group: withChecks(buildReport(db, name, month, now), checks) };
    } finally {
      db.close();
    }
  } finally {
    roster.close();
  }
}
