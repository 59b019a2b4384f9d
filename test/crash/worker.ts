// A counter process for the crash test: settles sales (and now and then returns some), while its
// uploader drains to the simulator. The parent SIGKILLs it at random points.
import { appendFileSync } from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import { acquireLock } from '../../core/store/lock.ts';
import { openDatabase } from '../../core/store/db.ts';
import { settle } from '../../core/settlement/settle.ts';
import { reverse } from '../../core/settlement/reverse.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { InputError } from '../../core/contract/problems.ts';
import { saleInput } from '../helpers/settlement.ts';

const [dataDir, endpoint, seedText, mode, toldFile] = process.argv.slice(2);
/** What each caller was told, one JSON line per answer (appended before the next call: a kill loses at most the answer in flight). */
const tell = (t: Record<string, unknown>) => appendFileSync(toldFile!, JSON.stringify(t) + '\n');
let seed = Number(seedText ?? 1) >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const lock = acquireLock(dataDir!, `crash-worker-${mode}`);
const db = openDatabase(dataDir!);
const up = new Uploader(db, { endpoint: endpoint!, timeoutMs: 150, concurrency: 8, batchSize: 16, backoffBaseMs: 10, backoffCapMs: 100, maxFailures: 100_000, random: rand });
process.stdout.write('ready\n');
up.start();

const sales: string[] = [];
async function settleLoop(): Promise<void> {
  for (let i = 0; ; i++) {
    const type = rand() < 0.3 ? 'clinic' : 'pharmacy';
    const requestId = uuidv7();
    let rec;
    try {
      rec = settle(db, { ...saleInput({ type, psnNo: `PSN${Math.floor(rand() * 1e12)}` }), requestId });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      tell({ requestId, told: 'refused', code: e.code });
      continue;
    }
    tell({ requestId, told: 'committed', id: rec.id });
    sales.push(rec.id);
    up.poke();
    if (rand() < 0.25 && sales.length > 2) {
      const target = sales[Math.floor(rand() * sales.length)]!;
      try {
        const r = reverse(db, { settlementId: target, lines: rand() < 0.5 ? ['a'] : null, operator: { id: 'crash', name: 'crash' }, reason: 'crash test' });
        tell({ requestId: null, told: 'committed', id: r.id });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
      }
    }
    await new Promise((r) => setTimeout(r, Math.floor(rand() * 8)));
  }
}

if (mode === 'upload') {
  // Upload only: the process dies while draining.
} else {
  void settleLoop();
}
process.on('SIGTERM', () => {
  void up.stop().then(() => {
    db.close();
    lock.release();
    process.exit(0);
  });
});
