// One counter of the hub fault test: settles sales into its own SQLite journal and pushes them to
// the hub, again and again, until told to stop; it may be SIGKILLed at any instant and restarted.
// On "stop" (a file appearing) it pushes until the hub holds everything, then exits 0.
import { existsSync } from 'node:fs';
import { pushJournal } from '../../core/hub/client.ts';
import { openDatabase } from '../../core/store/db.ts';
import { settlementCount } from '../../core/store/journal.ts';
import { settleSale } from '../helpers/settlement.ts';

const [dir, hubUrl, counterId, secret, stopFile, maxSalesArg] = process.argv.slice(2) as [string, string, string, string, string, string];
const maxSales = Number(maxSalesArg);
const db = openDatabase(dir);
const link = { url: hubUrl, counterId, secret };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pushSome(): Promise<boolean> {
  try {
    await pushJournal(db, link, 50);
    return true;
  } catch {
    return false; // hub down or restarting: the records stay in the journal and go next time
  }
}

for (;;) {
  if (existsSync(stopFile)) break;
  const n = settlementCount(db);
  if (n < maxSales) {
    // Each counter has its own patients, so each one's cap is its own business here.
    settleSale(db, { psnNo: `${counterId}P${n % 7}`, date: `2024-0${1 + (n % 9)}-1${n % 10}`, institutionCode: 'P53090100001' });
  }
  if (!(await pushSome())) await sleep(50);
  else if (n >= maxSales) await sleep(20);
}
while (!(await pushSome())) await sleep(100);
db.close();
process.exit(0);
