// A throwaway PostgreSQL cluster for tests and the bench: initdb in a temp folder, the server on a
// Unix socket in that folder (no TCP port to collide with), removed afterwards. PostgreSQL refuses
// to run as root, so as root the cluster belongs to the `postgres` user Debian's package creates.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  /** Connection string for the superuser (`postgres`) on the cluster's socket. */
  url: (database?: string) => string;
  socketDir: string;
  port: number;
  /** Promotes a standby to primary (pg_ctl promote). */
  promote: () => void;
  stop: () => void;
}

function pgBin(name: string): string {
  for (const v of ['17', '16', '15']) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  return name;
}

export function pgAvailable(): boolean {
  return spawnSync(pgBin('initdb'), ['--version']).status === 0;
}

const asRoot = process.getuid?.() === 0;

function runPg(bin: string, args: string[]): void {
  const cmd = asRoot ? 'runuser' : pgBin(bin);
  const argv = asRoot ? ['-u', 'postgres', '--', pgBin(bin), ...args] : args;
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function serve(dir: string, data: string, port: number, onStop: () => void): PgCluster {
  // A port number only names the socket file; the cluster listens on no TCP address.
  runPg('pg_ctl', ['-D', data, '-w', '-l', join(dir, `server-${port}.log`), '-o', `-c listen_addresses='' -c unix_socket_directories='${dir}' -p ${port} -c fsync=on -c max_connections=200 -c wal_level=replica -c max_wal_senders=4`, 'start']);
  let stopped = false;
  return {
    url: (database = 'postgres') => `postgresql://postgres@/${database}?host=${encodeURIComponent(dir)}&port=${port}`,
    socketDir: dir,
    port,
    promote: () => runPg('pg_ctl', ['-D', data, '-w', 'promote']),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try { runPg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']); } catch { /* already gone */ }
      onStop();
    },
  };
}

const freePortNumber = () => 20000 + Math.floor(Math.random() * 20000);

export function startPgCluster(): PgCluster {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  runPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  return serve(dir, data, freePortNumber(), () => rmSync(dir, { recursive: true, force: true }));
}

/** A hot standby of `primary` by PostgreSQL's own streaming replication (pg_basebackup -R). */
export function startStandby(primary: PgCluster): PgCluster {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-pg-standby-'));
  chmodSync(dir, 0o755);
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const data = join(dir, 'data');
  runPg('pg_basebackup', ['-D', data, '-R', '-X', 'stream', '-h', primary.socketDir, '-p', String(primary.port), '-U', 'postgres']);
  return serve(dir, data, freePortNumber(), () => rmSync(dir, { recursive: true, force: true }));
}
