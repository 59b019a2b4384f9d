// The hub's command line as a clinic's administrator uses it: init with a group CA, register a
// counter, serve over TLS, sync a counter's journal, print the group's monthly report.
import { PG_SKIP } from '../helpers/hub.ts';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { openDatabase } from '../../core/store/db.ts';
import { migrateHub, openHubPool, journalOfCounter } from '../../core/store/hub-db.ts';
import { startPgCluster } from '../helpers/pg-cluster.ts';
import { settleSale, tempDir } from '../helpers/settlement.ts';

const run = promisify(execFile);
const HUB = ['--import', 'tsx', 'core/hub/main.ts'];
const skip = PG_SKIP;

test('hub init, add-counter, serve over TLS, sync, report', { skip, timeout: 120_000 }, async () => {
  const cluster = startPgCluster();
  const work = tempDir('lbc-hubcli-');
  const tls = join(work, 'tls');
  const data = join(work, 'counter');
  let server: ReturnType<typeof spawn> | null = null;
  try {
    const init = await run(process.execPath, [...HUB, 'init', '--pg', cluster.url(), '--tls', tls, '--host', 'hub.test']);
    assert.match(init.stdout, /hub schema at version \d+; TLS files/);
    assert.ok(existsSync(join(tls, 'ca.pem')) && existsSync(join(tls, 'hub.pem')));
    const add = await run(process.execPath, [...HUB, 'add-counter', '--pg', cluster.url(), '--institution', 'P53090100001', '--name', '药房窗口']);
    const id = /counter (\S+) \(terminal 01 of P53090100001\)/.exec(add.stdout)?.[1];
    const secret = /credential \(shown once\): (\S+)/.exec(add.stdout)?.[1];
    assert.ok(id && secret, add.stdout);

    const db = openDatabase(data);
    settleSale(db, { date: '2024-08-01' });
    settleSale(db, { date: '2024-08-02' });
    db.close();

    server = spawn(process.execPath, [...HUB, 'serve', '--pg', cluster.url(), '--port', '0', '--tls', tls], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      server!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /listening on (https:\/\/\S+)/.exec(buf);
        if (m) resolve(m[1]!);
      });
      server!.once('exit', (code) => reject(new Error(`hub exited ${code}`)));
    });
    const sync = await run(process.execPath, [...HUB, 'sync', '--data', data, '--hub', url, '--counter', id, '--secret', secret, '--ca', join(tls, 'ca.pem')]);
    assert.match(sync.stdout, /pushed 2 record\(s\) \(0 already at the hub\)/);
    const again = await run(process.execPath, [...HUB, 'sync', '--data', data, '--hub', url, '--counter', id, '--secret', secret, '--ca', join(tls, 'ca.pem')]);
    assert.match(again.stdout, /pushed 0 record\(s\)/);
    // Without the group CA the counter does not trust the hub.
    await assert.rejects(run(process.execPath, [...HUB, 'sync', '--data', data, '--hub', url, '--counter', id, '--secret', secret]), /unreachable/);

    const pool = openHubPool(cluster.url());
    await migrateHub(pool);
    assert.equal((await journalOfCounter(pool, id)).length, 2);
    await pool.end();

    const out = join(work, 'reports');
    const rep = await run(process.execPath, [...HUB, 'report', '--pg', cluster.url(), '--name', 'monthly-residents', '--month', '2024-08', '--group-name', '临翔区医共体', '--format', 'xlsx', '--out', out]);
    assert.equal(rep.stdout.trim().split('\n').length, 2);
    assert.deepEqual(readdirSync(out).sort(), ['monthly-residents-2024-08-P53090100001.xlsx', 'monthly-residents-2024-08-group.xlsx']);

    const revoke = await run(process.execPath, [...HUB, 'revoke', '--pg', cluster.url(), '--counter', id]);
    assert.match(revoke.stdout, /revoked/);
    await assert.rejects(run(process.execPath, [...HUB, 'sync', '--data', data, '--hub', url, '--counter', id, '--secret', secret, '--ca', join(tls, 'ca.pem')]), /revoked/);
  } finally {
    server?.kill('SIGTERM');
    cluster.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
