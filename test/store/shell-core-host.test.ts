// The core process's side of the shell protocol (core/app/core-host.ts), driven in process over a
// fake port: malformed and unknown requests are refused by id, calls before `open` are refused,
// a refusal keeps its field problems, `close` waits for a running call, closes the database and
// exits 0, and calls after it are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveCore } from '../../core/app/core-host.ts';
import type { CoreReply } from '../../core/app/core-protocol.ts';
import { DB_FILE_NAME } from '../../core/store/db.ts';
import { LOCK_FILE_NAME } from '../../core/store/lock.ts';

function fakePort() {
  let listener: (data: unknown) => void = () => {};
  const replies: CoreReply[] = [];
  const waiters = new Map<number, (r: CoreReply) => void>();
  let exitCode: number | null = null;
  let onExit: () => void = () => {};
  const exited = new Promise<void>((r) => (onExit = r));
  serveCore(
    {
      onMessage: (l) => (listener = l),
      post: (r) => {
        replies.push(r);
        waiters.get(r.id)?.(r);
      },
    },
    { exit: (code) => ((exitCode = code), onExit()), log: () => {} },
  );
  return {
    replies,
    exited,
    exitCode: () => exitCode,
    send: (m: unknown) => listener(m),
    ask: (m: { id: number } & Record<string, unknown>) =>
      new Promise<CoreReply>((resolve) => {
        waiters.set(m.id, resolve);
        listener(m);
      }),
  };
}

test('the core host checks every request, serves the service, and closes the database before it exits', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lbc-core-host-'));
  try {
    const port = fakePort();
    // Malformed: answered by id when there is one, dropped (and logged) when there is not.
    const bad = await port.ask({ id: 1, kind: 'call', method: 'dropTables', input: {} });
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.error.code, 'BAD_REQUEST');
    port.send('not an object');
    port.send({ kind: 'open' });
    assert.equal(port.replies.length, 1);

    const early = await port.ask({ id: 2, kind: 'call', method: 'operators', input: {} });
    assert.equal(!early.ok && early.error.code, 'NOT_OPEN');

    const opened = await port.ask({ id: 3, kind: 'open', dataDir, port: 0, demoRegion: 'lincang' });
    assert.equal(opened.ok, true, JSON.stringify(opened));
    assert.ok(existsSync(join(dataDir, LOCK_FILE_NAME)), 'the core holds the data directory lock');
    const again = await port.ask({ id: 4, kind: 'open', dataDir, port: 0, demoRegion: null });
    assert.equal(!again.ok && again.error.code, 'ALREADY_OPEN');

    const ops = await port.ask({ id: 5, kind: 'call', method: 'operators', input: {} });
    assert.equal(ops.ok && (ops.value as { items: unknown[] }).items.length, 3, 'the demo operators were seeded');
    const refused = await port.ask({ id: 6, kind: 'call', method: 'lookup', input: { input: '' } });
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.error.problems.some((p) => p.path === 'input' && p.messageZh.length > 0));

    // Close while a call runs: the call is answered first, then the database closes, then exit 0.
    const running = port.ask({ id: 7, kind: 'call', method: 'report', input: { session: 'x'.repeat(20), report: 'monthly', month: '2025-01', format: 'json' } });
    port.send({ kind: 'close' });
    const late = await port.ask({ id: 8, kind: 'call', method: 'operators', input: {} });
    assert.equal(!late.ok && late.error.code, 'SHUTTING_DOWN');
    await port.exited;
    assert.ok(port.replies.some((r) => r.id === 7), 'the running call was answered before the exit');
    await running;
    assert.equal(port.exitCode(), 0);
    const wal = join(dataDir, `${DB_FILE_NAME}-wal`);
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'WAL checkpointed on close');
    assert.equal(existsSync(join(dataDir, LOCK_FILE_NAME)), false, 'lock released');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
