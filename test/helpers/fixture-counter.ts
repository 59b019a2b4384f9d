// A counter service on loopback over a fresh data folder seeded with a region's fixture, no
// screen files and no uploader: what the plugin-API tests talk to over real HTTP.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedFixture } from '../../core/app/fixture.ts';
import { startCounter, type RunningCounter } from '../../core/app/counter.ts';
import { openDatabase } from '../../core/store/db.ts';

export async function startFixtureCounter(prefix: string, region: Parameters<typeof seedFixture>[1] = 'lincang'): Promise<{ c: RunningCounter; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = openDatabase(dir);
  seedFixture(db, region);
  db.close();
  return { c: await startCounter({ dataDir: dir, staticDir: null, uploader: null }), dir };
}
