// A hub for tests: a throwaway PostgreSQL cluster, the schema migrated, the hub service on loopback.
import type { Server } from 'node:http';
import { createHub, listen } from '../../core/hub/server.ts';
import { migrateHub, openHubPool, type HubPool } from '../../core/store/hub-db.ts';
import { pgAvailable, startPgCluster, type PgCluster } from './pg-cluster.ts';

/** Skip reason for hub tests on a machine without PostgreSQL; under CI they run (and fail if it is missing). */
export const PG_SKIP = !pgAvailable() && !process.env.CI ? 'PostgreSQL (apt postgresql) is not installed' : false;

export interface TestHub { cluster: PgCluster; pool: HubPool; server: Server; url: string; stop: () => Promise<void> }

export async function startTestHub(): Promise<TestHub> {
  const cluster = startPgCluster();
  const pool = openHubPool(cluster.url());
  await migrateHub(pool);
  const server = createHub({ pool });
  const url = `http://127.0.0.1:${await listen(server)}`;
  return {
    cluster, pool, server, url,
    stop: async () => {
      await new Promise((r) => server.close(r));
      await pool.end();
      cluster.stop();
    },
  };
}
