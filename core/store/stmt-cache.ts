// Prepared statements cached per connection (preparing costs more than running a lookup).
import type Database from 'better-sqlite3';
import type { DB } from './db.ts';

const cache = new WeakMap<DB, Map<string, Database.Statement<unknown[]>>>();

export function cached(db: DB, sql: string): Database.Statement<unknown[]> {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare<unknown[]>(sql)));
  return s;
}
