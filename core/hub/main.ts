// `npm run hub -- <command>`: set up and run a group's hub, and link a counter to it.
//   init        --pg URL [--tls DIR --host NAME]   schema, least-privilege role, and (with --tls) a group CA + server certificate
//   add-counter --pg URL --institution CODE --name NAME   registers a counter; prints its id and credential once
//   revoke      --pg URL --counter ID
//   serve       --pg URL [--port 8443] [--host 0.0.0.0] [--tls DIR]
//   seed-roster --pg URL --data DIR                 puts a counter's imported roster at the hub
//   report      --pg URL --name REPORT --month yyyy-MM --group-name NAME [--format xlsx] --out DIR   one file per member and one for the group
//   sync        --data DIR --hub URL --counter ID --secret S [--ca FILE]   push this counter's journal, pull the roster
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../store/db.ts';
import { addCounter, migrateHub, openHubPool, revokeCounter, upsertRoster } from '../store/hub-db.ts';
import { rosterRows } from '../store/hub-sync.ts';
import { syncOnce } from './sync.ts';
import { createHub, listen } from './server.ts';
import { makeTls } from './tls.ts';
import { groupReports } from './reports.ts';
import { FORMATS, render, type Format } from '../reports/index.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    pg: { type: 'string' }, tls: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' },
    institution: { type: 'string' }, name: { type: 'string' }, counter: { type: 'string' }, data: { type: 'string' },
    hub: { type: 'string' }, secret: { type: 'string' }, ca: { type: 'string' },
    month: { type: 'string' }, 'group-name': { type: 'string' }, format: { type: 'string' }, out: { type: 'string' },
  },
});

function need(name: keyof typeof values): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') {
    process.stderr.write(`error: --${name} is required for "${positionals[0]}"\n`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const cmd = positionals[0];
  if (cmd === 'init') {
    const pool = openHubPool(need('pg'));
    const version = await migrateHub(pool);
    await pool.end();
    if (values.tls) makeTls(values.tls, values.host ?? 'localhost');
    process.stdout.write(`hub schema at version ${version}${values.tls ? `; TLS files in ${values.tls} (give ca.pem to each counter)` : ''}\n`);
  } else if (cmd === 'add-counter') {
    const pool = openHubPool(need('pg'));
    // Hex, not base64url: a credential starting with '-' would read as an option to `sync --secret`.
    const secret = randomBytes(24).toString('hex');
    const id = `c${randomBytes(6).toString('hex')}`;
    const row = await addCounter(pool, { id, institutionCode: need('institution'), name: need('name'), secret });
    await pool.end();
    process.stdout.write(`counter ${row.id} (terminal ${String(row.dev_no).padStart(2, '0')} of ${row.institution_code})\ncredential (shown once): ${secret}\n`);
  } else if (cmd === 'revoke') {
    const pool = openHubPool(need('pg'));
    const ok = await revokeCounter(pool, need('counter'));
    await pool.end();
    process.stdout.write(ok ? 'revoked\n' : 'no such active counter\n');
    if (!ok) process.exitCode = 1;
  } else if (cmd === 'serve') {
    const pool = openHubPool(need('pg'), 20);
    await migrateHub(pool);
    const tls = values.tls ? { key: readFileSync(join(values.tls, 'hub.key'), 'utf8'), cert: readFileSync(join(values.tls, 'hub.pem'), 'utf8') } : undefined;
    const server = createHub({ pool, tls, log: (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`) });
    const port = await listen(server, Number(values.port ?? 8443), values.host ?? '127.0.0.1');
    process.stdout.write(`hub listening on ${tls ? 'https' : 'http'}://${values.host ?? '127.0.0.1'}:${port}\n`);
    const stop = () => server.close(() => void pool.end());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } else if (cmd === 'seed-roster') {
    const pool = openHubPool(need('pg'));
    const db = openDatabase(need('data'), { readonly: true });
    let n = 0;
    for (const rows of rosterRows(db)) n += await upsertRoster(pool, rows);
    db.close();
    await pool.end();
    process.stdout.write(`${n} roster rows new or changed at the hub\n`);
  } else if (cmd === 'report') {
    const format = (values.format ?? 'xlsx') as Format;
    if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}`);
    const pool = openHubPool(need('pg'));
    const groupName = need('group-name');
    const out = await groupReports(pool, need('name'), need('month'), { code: 'GROUP', name: groupName });
    await pool.end();
    const dir = need('out');
    mkdirSync(dir, { recursive: true });
    const write = async (unit: string, doc: Parameters<typeof render>[0]) => {
      const file = join(dir, `${values.name}-${values.month}-${unit}.${format}`);
      writeFileSync(file, await render(doc, format), { mode: 0o600 });
      return file;
    };
    for (const m of out.members) process.stdout.write(`${await write(m.code, m.report)}\n`);
    process.stdout.write(`${await write('group', out.group)}\n`);
  } else if (cmd === 'sync') {
    const db = openDatabase(need('data'));
    const link = { url: need('hub'), counterId: need('counter'), secret: need('secret'), ca: values.ca ? readFileSync(values.ca, 'utf8') : undefined };
    const { pushed, pulled } = await syncOnce(db, link);
    db.close();
    process.stdout.write(`pushed ${pushed.pushed} record(s) (${pushed.duplicates} already at the hub); ${pulled} roster row(s) pulled; ${pushed.overCap.length} patient-year(s) over the cap across the group\n`);
  } else {
    process.stderr.write('usage: npm run hub -- init|add-counter|revoke|serve|seed-roster|report|sync [options] (see core/hub/main.ts)\n');
    process.exitCode = 2;
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
