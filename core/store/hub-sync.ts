// The counter's side of the hub link, in SQLite: journal records after a cursor (to push), the
// push and roster cursors, and roster rows pulled from the hub written into the patients table.
import type { HubLine, HubRecord, HubRosterRow, HubSettlement } from '../contract/hub.ts';
import { Decimal, fen } from '../money/decimal.ts';
import type { DB } from './db.ts';
import { prep } from './prepared.ts';
import { getSetting, setSetting } from './settings.ts';

const PUSHED_KEY = 'hub.pushedSeq';
const ROSTER_KEY = 'hub.rosterVersion';

/** Journal records with seq above `afterSeq`, in chain order, each with its lines. */
export function journalAfter(db: DB, afterSeq: number, limit: number): HubRecord[] {
  const rows = prep(db, 'SELECT * FROM settlement WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as HubSettlement[];
  if (rows.length === 0) return [];
  const lines = prep(db,
    `SELECT l.* FROM settlement_line l JOIN settlement s ON s.id = l.settlement_id
      WHERE s.seq > ? AND s.seq <= ? ORDER BY s.seq, l.line_no`,
  ).all(afterSeq, rows[rows.length - 1]!.seq) as HubLine[];
  const byId = new Map<string, HubLine[]>();
  for (const l of lines) (byId.get(l.settlement_id) ?? byId.set(l.settlement_id, []).get(l.settlement_id)!).push(l);
  return rows.map((settlement) => ({ settlement, lines: byId.get(settlement.id) ?? [] }));
}

export function pushedSeq(db: DB): number {
  return Number(getSetting(db, PUSHED_KEY) ?? 0);
}

export function setPushedSeq(db: DB, seq: number): void {
  setSetting(db, PUSHED_KEY, String(seq));
}

export function unpushedCount(db: DB): number {
  return (prep(db, 'SELECT count(*) AS n FROM settlement WHERE seq > ?').get(pushedSeq(db)) as { n: number }).n;
}

export function rosterVersion(db: DB): number {
  return Number(getSetting(db, ROSTER_KEY) ?? 0);
}

const ROSTER_COLUMNS = [
  'psn_no', 'certno', 'card_no', 'name', 'gender', 'birth_date', 'insutype', 'region', 'conditions', 'management_class',
  'other_chronic_diseases', 'chronic_disease_since', 'designated_institution', 'payment_mode', 'capitation_institution',
  'capitation_start_month', 'flagged_date', 'flagged_by', 'status', 'stopped_date', 'stopped_reason', 'ec_token', 'content_hash',
] as const;
const ROWS_PER_INSERT = 40;

function upsertSql(n: number): string {
  const one = `(${ROSTER_COLUMNS.map(() => '?').join(', ')}, ?)`;
  const sets = ROSTER_COLUMNS.filter((c) => c !== 'psn_no').map((c) => `${c} = excluded.${c}`).join(', ');
  return `INSERT INTO patients (${ROSTER_COLUMNS.join(', ')}, updated_at) VALUES ${Array(n).fill(one).join(', ')}
    ON CONFLICT (psn_no) DO UPDATE SET ${sets}, updated_at = excluded.updated_at WHERE patients.content_hash <> excluded.content_hash`;
}

/** Writes one pulled page and moves the roster cursor, in one transaction (a crash repeats the page, harmlessly). */
export function applyRosterPage(db: DB, rows: readonly HubRosterRow[], cursor: number, now: string): void {
  db.transaction(() => {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [];
      for (const r of chunk) {
        for (const c of ROSTER_COLUMNS) params.push(r[c]);
        params.push(now);
      }
      prep(db, upsertSql(chunk.length)).run(params);
    }
    setSetting(db, ROSTER_KEY, String(cursor));
  })();
}

/** Every patients row in the hub's row shape (for seeding a hub from a counter that imported the bureau file). */
export function* rosterRows(db: DB, pageSize = 10_000): Generator<HubRosterRow[]> {
  let after = '';
  const page = prep(db, `SELECT ${ROSTER_COLUMNS.join(', ')} FROM patients WHERE psn_no > ? ORDER BY psn_no LIMIT ?`);
  for (;;) {
    const rows = page.all(after, pageSize) as HubRosterRow[];
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.psn_no;
  }
}

/** Fund this counter paid a patient in a year that the hub has not received yet (records after the push cursor). */
export function unpushedFund(db: DB, psnNo: string, year: number): string {
  const rows = prep(db, 'SELECT fund FROM settlement WHERE seq > ? AND psn_no = ? AND settle_date >= ? AND settle_date < ?')
    .all(pushedSeq(db), psnNo, `${year}-01-01`, `${year + 1}-01-01`) as { fund: string }[];
  return fen(rows.reduce((sum, r) => sum.plus(r.fund), new Decimal(0)));
}
