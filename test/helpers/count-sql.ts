// Counts the SQL statements a piece of code runs on one connection: every run/get/all/iterate of
// a prepared statement and every exec. Install it on a fresh connection (before anything is
// prepared): the per-connection statement cache keeps the statements it was handed.
import type Database from 'better-sqlite3';

export interface SqlCounter {
  readonly count: number;
  /** SQL text of each statement executed since the last reset, in order. */
  readonly log: readonly string[];
  reset(): void;
}

const EXECUTING = new Set(['run', 'get', 'all', 'iterate']);
const CHAINING = new Set(['pluck', 'raw', 'expand', 'safeIntegers', 'bind']);

export function countSql(db: Database.Database): SqlCounter {
  const log: string[] = [];
  const prepare = db.prepare.bind(db);
  const exec = db.exec.bind(db);
  const wrap = (stmt: Database.Statement, sql: string): Database.Statement => {
    const proxy: Database.Statement = new Proxy(stmt, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        if (EXECUTING.has(key)) {
          return (...args: unknown[]) => {
            log.push(sql);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        if (CHAINING.has(key)) {
          return (...args: unknown[]) => {
            (value as (...a: unknown[]) => unknown).apply(target, args);
            return proxy;
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    return proxy;
  };
  (db as { prepare: unknown }).prepare = (sql: string) => wrap(prepare(sql), sql);
  (db as { exec: unknown }).exec = (sql: string) => {
    log.push(sql);
    return exec(sql);
  };
  return {
    get count() {
      return log.length;
    },
    get log() {
      return log;
    },
    reset() {
      log.length = 0;
    },
  };
}
