// One counter of the hub fault test: settles sales through the counter service (as the screen
// does: the group's figure and a hold at the hub when the hub answers, its own figure when it does
// not) into its own SQLite journal, and syncs with the hub, again and again, until told to stop.
// It may be SIGKILLed at any instant and restarted. All counters share the same patients, so the
// cross-counter cap is what is exercised. On "stop" (a file appearing) it pushes until the hub holds
// everything, then exits 0. Any other failure exits non-zero and fails the run.
//   worker.ts DIR HUB_URL COUNTER_ID SECRET STOP_FILE MAX_SALES PATIENTS OFFLINE_FIRST PACE_MS
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { HubRefused, HubUnavailable } from '../../core/hub/client.ts';
import { syncOnce } from '../../core/hub/sync.ts';
import { importRosterText } from '../../core/import/roster.ts';
import { CounterService, ServiceRefusal } from '../../core/service/index.ts';
import { openDatabase } from '../../core/store/db.ts';
import { settlementCount } from '../../core/store/journal.ts';
import { pushedSeq } from '../../core/store/hub-sync.ts';
import { getSetting, setSetting } from '../../core/store/settings.ts';
import { sharedPatientCertno, sharedRoster, FAULT_NOW } from './patients.ts';

const [dir, hubUrl, counterId, secret, stopFile, maxSalesArg, patientsArg, offlineFirstArg, paceArg] = process.argv.slice(2) as [string, string, string, string, string, string, string, string, string];
const maxSales = Number(maxSalesArg);
const patients = Number(patientsArg);
const offlineFirst = Number(offlineFirstArg);
/** Mean pause between two sales: a counter rings one sale at a time, not in a tight loop. */
const paceMs = Number(paceArg);
const db = openDatabase(dir);
const link = { url: hubUrl, counterId, secret };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Seeding is idempotent (imports upsert), so a counter killed half-way through seeds again.
if (getSetting(db, 'hub.link') === null) {
  seedFixture(db, 'lincang');
  const r = importRosterText(db, JSON.stringify(sharedRoster(patients)));
  if (r.rejected > 0) throw new Error(`shared patients rejected: ${JSON.stringify(r).slice(0, 2000)}`);
  setSetting(db, 'hub.link', link);
}
const service = new CounterService({ db, now: () => FAULT_NOW });
const session = (await service.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;

async function syncSome(): Promise<boolean> {
  try {
    await syncOnce(db, link);
    return true;
  } catch (e) {
    // Hub down, restarting, or failing a request (as the background sync, the records go next time);
    // a refusal (a conflict) is a finding: the process fails and so does the run.
    if (e instanceof HubUnavailable || (e instanceof HubRefused && e.status >= 500)) return false;
    throw e;
  }
}

async function settleOne(n: number): Promise<void> {
  // The first sales of every counter go to patient 0, 20 boxes each: settled while the hub is not
  // yet up, each counter alone pays that patient's whole cap, so the group is certainly over it.
  const first = n < offlineFirst;
  const patient = sharedPatientCertno(first ? 0 : randomInt(patients));
  const quantity = first ? '20' : String(1 + randomInt(20));
  try {
    await service.call('settle', { session, requestId: randomUUID(), patient, lines: [{ code: drugBarcode(3), quantity }] });
  } catch (e) {
    // Another counter took the last of the patient's year between the quote and the hold: the
    // screen would price again; here the next round does.
    if (!(e instanceof ServiceRefusal && e.code === 'GROUP_CAP_CHANGED')) throw e;
  }
}

for (;;) {
  if (existsSync(stopFile)) break;
  const n = settlementCount(db);
  // After its first sales (settled with the hub not yet started), a counter goes on once the hub
  // has taken its journal, so the sales after them meet a hub that is up, save when it is killed.
  const waitForHub = n >= offlineFirst && pushedSeq(db) === 0;
  if (n < maxSales && !waitForHub) await settleOne(n);
  await syncSome();
  // The same pace whether the hub is up or away, so sales fall in its down times only as often as time does.
  await sleep(n >= maxSales || waitForHub ? 50 : randomInt(2 * paceMs + 1));
}
while (!(await syncSome())) await sleep(100);
db.close();
process.exit(0);
