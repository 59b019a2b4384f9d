// A throwaway PostgreSQL cluster for tests and the bench: initdb in a temp folder, the server on a
// Unix socket in that folder (no TCP port to collide with), removed afterwards. PostgreSQL refuses
// to run as root, so as root the cluster belongs to the `postgres` user Debian's package creates.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  /** Connection string for the superuser (`postgres`) on the cluster's socket. */
  url: (database?: string) => string;
  socketDir: string;
  port: number;
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

export function startPgCluster(): PgCluster {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) => {
    const cmd = asRoot ? 'runuser' : pgBin(bin);
    const argv = asRoot ? ['-u', 'postgres', '--', pgBin(bin), ...args] : args;
    execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  // A port number only names the socket file; the cluster listens on no TCP address.
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(join(dir, 'postgresql.extra.conf'), '');
  run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'server.log'), '-o', `-c listen_addresses='' -c unix_socket_directories='${dir}' -p ${port} -c fsync=on -c max_connections=200`, 'start']);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try { run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']); } catch { /* already gone */ }
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    url: (database = 'postgres') => `postgresql://postgres@/${database}?host=${encodeURIComponent(dir)}&port=${port}`,
    socketDir: dir,
    port,
    stop,
  };
}
