// The demo counter: the demo roster and the seed 000 two-disease list (demo prices) for one
// region, its institution pointed at the given platform endpoint, and the demo operators.
// Used by `npm start` (browser shell) and by the desktop core when started for a demo.
import type { DB } from '../store/db.ts';
import { countPatients } from '../store/roster.ts';
import { setInstitution } from '../store/settings.ts';
import { DEMO_INSTITUTIONS, seedDemoData } from '../demo/seed.ts';
import { FIXTURE_REGIONS, seedOperators, type RegionId } from './fixture.ts';

export function isRegionId(region: string): region is RegionId {
  return Object.hasOwn(FIXTURE_REGIONS, region);
}

/** Seeds the demo data into an empty roster (a kept data directory keeps its own) and sets the region. */
export function seedDemoCounter(db: DB, region: RegionId, endpoint: string | null): void {
  if (countPatients(db) === 0) seedDemoData(db, { region });
  setInstitution(db, { ...DEMO_INSTITUTIONS[region], platformEndpoint: endpoint });
  seedOperators(db);
}
