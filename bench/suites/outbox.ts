// Outbox drain rate: N queued pharmacy settlements (10,000; 1,000 with --quick) uploaded to the
// platform simulator running in its own process on loopback. Every settlement is its own 2102
// message with its own msgid and reply; the uploader pipelines them (marks a batch 'sending' in
// one transaction, sends in parallel, applies the replies in one transaction).
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { openDatabase } from '../../core/store/db.ts';
import { settle } from '../../core/settlement/settle.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { statusCounts } from '../../core/store/outbox.ts';
import { saleInput, tempDir } from '../../test/helpers/settlement.ts';
import type { BenchSuite } from '../harness.ts';
import { round } from '../harness.ts';

const CLI = fileURLToPath(new URL('../../core/cli/main.ts', import.meta.url));

/** The platform simulator in its own process on loopback (the counter never shares a process with it). */
export async function startSimulatorProcess(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'simulator', '--port', '0', '--data', dataDir, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) resolve((JSON.parse(line!) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const outboxSuite: BenchSuite = {
  name: 'outbox',
  async run({ quick, log }) {
    const n = quick ? 1000 : 10_000;
    const warm = 300;
    const dbDir = tempDir('lbc-bench-outbox-');
    const simDir = tempDir('lbc-bench-sim-');
    const db = openDatabase(dbDir);
    const base = saleInput({ type: 'pharmacy' });
    const t0 = process.hrtime.bigint();
    // Queue N settlements (one outer transaction so the setup does not time fsyncs).
    db.transaction(() => {
      for (let i = 0; i < n + warm; i++) settle(db, { ...base, requestId: uuidv7(), patient: { ...base.patient, psnNo: `BENCH${String(i).padStart(8, '0')}` } });
    })();
    const queueSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    log(`queued ${n} settlements in ${queueSeconds.toFixed(1)} s`);
    const sim = await startSimulatorProcess(simDir);
    const warmUp = new Uploader(db, { endpoint: sim.url, timeoutMs: 30_000, batchSize: warm, lanes: 1 });
    await warmUp.drainOnce(1); // the oldest rows go first: exactly the warm-up ones (JIT, connections, simulator caches)
    warmUp.close();
    const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 30_000, concurrency: 64, batchSize: 512, lanes: Number(process.env.OUTBOX_BENCH_LANES ?? 2) });
    try {
      const start = process.hrtime.bigint();
      await up.drainOnce();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const c = statusCounts(db);
      if (c.acked !== n + warm) throw new Error(`only ${c.acked} of ${n + warm} acked: ${JSON.stringify(c)}`);
      log(`drained ${n} settlements in ${seconds.toFixed(2)} s`);
      return { settlements: n, drain_settlements_per_s: round(n / seconds, 0), drain_seconds: round(seconds, 2), queue_settlements_per_s: round(n / queueSeconds, 0) };
    } finally {
      up.close();
      await sim.stop();
      db.close();
      for (const d of [dbDir, simDir]) rmSync(d, { recursive: true, force: true });
    }
  },
};
