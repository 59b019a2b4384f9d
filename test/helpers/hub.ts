// A hub for tests: a throwaway PostgreSQL cluster, the schema migrated, the hub service on loopback.
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedFixture } from '../../core/app/fixture.ts';
import type { HubLink } from '../../core/hub/client.ts';
import { CounterService } from '../../core/service/index.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { addCounter } from '../../core/store/hub-db.ts';
import { setSetting } from '../../core/store/settings.ts';
import { createHub, listen } from '../../core/hub/server.ts';
import { migrateHub, openHubPool, type HubPool } from '../../core/store/hub-db.ts';
import { pgAvailable, startPgCluster, type PgCluster } from './pg-cluster.ts';

/** Skip reason for hub tests on a machine without PostgreSQL; under CI they run (and fail if it is missing). */
export const PG_SKIP = !pgAvailable() && !process.env.CI ? 'PostgreSQL (apt postgresql) is not installed' : false;

/** A counter on the Lincang fixture joined to the test hub, its pharmacist signed in. */
export interface TestCounter { db: DB; s: CounterService; session: string; link: HubLink }

export interface JoinOptions {
  now: Date;
  /** The hub address the counter is linked to; null: registered at the hub but not linked (no hub configured). */
  url?: string | null;
  /** Runs on the opened database before the service starts (e.g. a statement counter). */
  onOpen?: (db: DB) => void;
}

export interface TestHub {
  cluster: PgCluster; pool: HubPool; server: Server; url: string;
  /** Registers a new counter of the fixture's institution at the hub (its folder removed by stop). */
  joinCounter: (name: string, o: JoinOptions) => Promise<TestCounter>;
  stop: () => Promise<void>;
}

export async function startTestHub(): Promise<TestHub> {
  const cluster = startPgCluster();
  const pool = openHubPool(cluster.url());
  await migrateHub(pool);
  const server = createHub({ pool });
  const url = `http://127.0.0.1:${await listen(server)}`;
  const dirs: string[] = [];
  return {
    cluster, pool, server, url,
    joinCounter: async (name, o) => {
      const dir = mkdtempSync(join(tmpdir(), 'lbc-hub-counter-'));
      dirs.push(dir);
      const db = openDatabase(dir);
      seedFixture(db, 'lincang');
      o.onOpen?.(db);
      const code = (db.prepare("SELECT value FROM settings WHERE key = 'institution.code'").get() as { value: string }).value;
      const secret = randomBytes(18).toString('base64url');
      const counterId = `${name}-${randomBytes(3).toString('hex')}`;
      await addCounter(pool, { id: counterId, institutionCode: code, name, secret });
      const link = { url: o.url ?? url, counterId, secret };
      if (o.url !== null) setSetting(db, 'hub.link', link);
      const s = new CounterService({ db, now: () => o.now });
      const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
      return { db, s, session, link };
    },
    stop: async () => {
      await new Promise((r) => server.close(r));
      await pool.end();
      cluster.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}
