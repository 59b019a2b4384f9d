// The shell's core supervisor (electron/core-supervisor.ts) over fake core processes: a core that
// dies is forked again on the same data directory and the port the first one got, a call waiting
// on it is refused at once, a call made during the restart waits for the new core, the restarts
// are bounded, a core that cannot open counts as another crash, and a close is never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { CoreChild } from '../../electron/core-client.ts';
import type { CoreRequest } from '../../core/app/core-protocol.ts';
import { CoreSupervisor, GAVE_UP_ZH, RESTARTED_ZH } from '../../electron/core-supervisor.ts';
import { InputError } from '../../core/contract/problems.ts';

/** A core that answers open (or refuses it), answers calls with their method name, and exits on close or when told. */
class FakeCore extends EventEmitter implements CoreChild {
  sent: CoreRequest[] = [];
  constructor(private readonly openOk = true) {
    super();
  }
  postMessage(m: CoreRequest): void {
    this.sent.push(m);
    setImmediate(() => {
      if (m.kind === 'open') {
        if (this.openOk) this.emit('message', { kind: 'reply', id: m.id, ok: true, value: { url: `http://127.0.0.1:${m.port || 41000}`, resources: '/r', renderer: null, pid: 1 } });
        else this.emit('message', { kind: 'reply', id: m.id, ok: false, error: { code: 'LOCKED', message: 'locked', messageZh: '已占用', problems: [], refusal: false } });
      } else if (m.kind === 'call' && m.method !== 'settle') this.emit('message', { kind: 'reply', id: m.id, ok: true, value: m.method });
      else if (m.kind === 'close') this.emit('exit', 0);
      // a settle is never answered: it stays in flight until the core dies
    });
  }
  die(code = 1): void {
    this.emit('exit', code);
  }
  kill(): boolean {
    setImmediate(() => this.emit('exit', 9));
    return true;
  }
}

function supervisor(plan: boolean[] = [], backoffMs = 5) {
  const forks: FakeCore[] = [];
  const logs: string[] = [];
  const notices: string[] = [];
  const s = new CoreSupervisor({
    fork: () => {
      const c = new FakeCore(plan[forks.length] ?? true);
      forks.push(c);
      return c;
    },
    open: { dataDir: '/data', port: 0, demoRegion: null },
    backoffMs,
    maxRestarts: 2,
    log: (l) => logs.push(l),
    notify: (zh) => notices.push(zh),
  });
  return { s, forks, logs, notices };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok());
};

test('a dead core is forked again on the same data directory and port; waiting calls are refused, later ones answered', async () => {
  const { s, forks, logs, notices } = supervisor();
  await s.start();
  assert.equal(await s.call('operators', {}), 'operators');
  const inFlight = s.call('settle', {});
  await new Promise((r) => setImmediate(r));
  forks[0]!.die(1);
  await assert.rejects(inFlight, (e: unknown) => e instanceof InputError && e.code === 'CORE_EXITED');
  // Made while the new core starts: waits for it, then is answered.
  assert.equal(await s.call('operators', {}), 'operators');
  assert.equal(forks.length, 2);
  const open = forks[1]!.sent.find((m) => m.kind === 'open') as Extract<CoreRequest, { kind: 'open' }>;
  assert.deepEqual([open.dataDir, open.port], ['/data', 41000], 'the port the first core listened on');
  assert.deepEqual(notices, [RESTARTED_ZH]);
  assert.ok(logs.some((l) => /exited unexpectedly \(code 1\); restarting it \(attempt 1 of 2\)/.test(l)));
});

test('restarts are bounded; a core that cannot open counts as a crash; then every call is refused', async () => {
  // fork 1 ok, fork 2 fails to open, fork 3 ok: the third death is one too many.
  const { s, forks, notices, logs } = supervisor([true, false, true]);
  await s.start();
  forks[0]!.die();
  await until(() => forks.length === 3 && notices.length === 1);
  assert.equal(await s.call('operators', {}), 'operators');
  assert.ok(logs.some((l) => /the restarted core did not open/.test(l)));
  forks[2]!.die();
  await until(() => notices.length === 2);
  assert.equal(notices[1], GAVE_UP_ZH);
  await assert.rejects(s.call('operators', {}), (e: unknown) => e instanceof InputError && e.code === 'CORE_EXITED' && e.messageZh === GAVE_UP_ZH);
  assert.equal(forks.length, 3);
});

test('a close is not a crash: the core exits 0 and nothing is forked again', async () => {
  const { s, forks, notices } = supervisor();
  await s.start();
  assert.equal(await s.close(), 0);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(forks.length, 1);
  assert.deepEqual(notices, []);
  await assert.rejects(s.call('operators', {}), (e: unknown) => e instanceof InputError && e.code === 'CORE_EXITED');
});

test('a close during a restart waits for it and starts no new core', async () => {
  const { s, forks, logs, notices } = supervisor([], 200);
  await s.start();
  forks[0]!.die();
  await until(() => logs.some((l) => /restarting it/.test(l)));
  assert.equal(await s.close(), null, 'no core was running');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(forks.length, 1, 'the restart was called off');
  assert.deepEqual(notices, []);
});
