// Every caller settles through the one pipeline (issue 9): the CLI `settle`, the plugin API over
// HTTP and the Electron IPC handler (CounterService.call, as electron/main.ts calls it) write
// byte-identical records for the same sale, given the same clock and the same id source — the
// journal row and its lines, who settled it with the prescription, the ledger entry, the
// dispensing, the outbox row and its messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { startHttpServer } from '../../core/http/server.ts';
import { settleCommand } from '../../core/cli/commands/settlement.ts';
import { FIXTURE_OPERATORS, FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const L = FIXTURE_REGIONS.lincang;
const REQUEST_ID = '0197c0de-0000-7000-8000-000000000001';
const TOKEN = 't'.repeat(43);
const pharmacist = FIXTURE_OPERATORS.find((o) => o.id === 'yaoshi')!;

const SALE = {
  patient: L.eligible,
  date: '2026-03-10',
  lines: [
    { code: drugBarcode(1), quantity: '2', days: 28 },
    { code: drugBarcode(3), quantity: '1', days: 28 },
    { code: drugBarcode(2), quantity: '1' },
  ],
  prescription: {
    institution: { code: L.institution.code, name: L.institution.name, type: 'clinic' as const, level: L.institution.level },
    doctor: { name: '刘医生', code: 'D530902000001' },
    date: '2026-03-10',
    diagnosis: '高血压；糖尿病',
    consent: true,
  },
};

function seeded(): { dir: string; db: DB } {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-paths-'));
  const db = openDatabase(dir);
  seedFixture(db, 'lincang');
  return { dir, db };
}

/** A fixed id sequence (uuid-shaped), the same for every path. */
function idSource(): () => string {
  let n = 0;
  return () => `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
}

/** Everything the sale wrote, row by row, as text. */
function written(db: DB): Record<string, string> {
  const q = (sql: string) => JSON.stringify(db.prepare(sql).all());
  return {
    settlement: q('SELECT * FROM settlement ORDER BY seq'),
    lines: q('SELECT * FROM settlement_line ORDER BY settlement_id, line_no'),
    operator: q('SELECT * FROM settlement_operators ORDER BY settlement_id'),
    ledger: q('SELECT * FROM ledger_entries ORDER BY settlement_id'),
    dispensing: q("SELECT * FROM dispensing WHERE source = 'counter' ORDER BY settlement_id, line_ref"),
    outbox: q('SELECT * FROM outbox ORDER BY id'),
    messages: q('SELECT * FROM outbox_message ORDER BY msgid'),
  };
}

test('the CLI, the plugin API over HTTP and the IPC handler write byte-identical journal records for the same sale', async () => {
  // IPC: the Electron main process hands each channel's argument to CounterService.call.
  const ipc = seeded();
  const ipcService = new CounterService({ db: ipc.db, now: () => NOW, ids: idSource() });
  const ipcSession = (await ipcService.call('signIn', { operatorId: pharmacist.id, pin: pharmacist.pin })).session;
  const viaIpc = await ipcService.call('settle', { session: ipcSession, requestId: REQUEST_ID, ...SALE });

  // HTTP: the plugin API on loopback, the same service behind it.
  const http = seeded();
  const server = await startHttpServer({ dispatcher: new CounterService({ db: http.db, now: () => NOW, ids: idSource() }), token: TOKEN });
  const post = async (method: string, body: unknown) => {
    const res = await fetch(`${server.url}/v1/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 200, JSON.stringify(json));
    return json;
  };
  let viaHttp: Record<string, unknown>;
  try {
    const httpSession = (await post('signIn', { operatorId: pharmacist.id, pin: pharmacist.pin })).session;
    viaHttp = await post('settle', { session: httpSession, requestId: REQUEST_ID, ...SALE });
  } finally {
    await server.close();
  }

  // CLI: `settle --data DIR < sale.json`, the same body with the operator who settles it.
  const cli = seeded();
  cli.db.close();
  let out = '';
  const code = await settleCommand.run(['--data', cli.dir], {
    stdout: (t) => (out += t),
    stderr: () => {},
    readStdin: async () => JSON.stringify({ ...SALE, requestId: REQUEST_ID, operator: { id: pharmacist.id, name: pharmacist.name } }),
    isTTY: false,
    now: () => NOW,
    ids: idSource(),
  });
  assert.equal(code, 0);
  const viaCli = JSON.parse(out) as { id: string; receiptNo: string; fund: string };
  const cliDb = openDatabase(cli.dir);

  const a = written(ipc.db);
  const b = written(http.db);
  const c = written(cliDb);
  for (const table of Object.keys(a)) {
    assert.equal(b[table], a[table], `HTTP and IPC differ in ${table}`);
    assert.equal(c[table], a[table], `CLI and IPC differ in ${table}`);
  }
  // The records are real: three lines, a prescription, a verified chain, the same answer to each caller.
  assert.equal(JSON.parse(a.lines!).length, 3);
  assert.equal(JSON.parse(a.dispensing!).length, 2);
  assert.equal((JSON.parse(a.operator!) as { prescription: string }[])[0]!.prescription, JSON.stringify(SALE.prescription));
  for (const db of [ipc.db, http.db, cliDb]) assert.equal(verifyJournal(db).ok, true);
  assert.deepEqual([viaHttp.id, viaHttp.receiptNo, viaHttp.fund], [viaIpc.id, viaIpc.receiptNo, viaIpc.fund]);
  assert.deepEqual([viaCli.id, viaCli.receiptNo, viaCli.fund], [viaIpc.id, viaIpc.receiptNo, viaIpc.fund]);
  for (const db of [ipc.db, http.db, cliDb]) db.close();
});
