// SQL the importer needs beside the roster and catalog writers: the keys an import has met so
// far (a repeated key in one file is refused), kept in a temporary table rather than in memory
// so a million-row file costs no heap; and a larger page cache for the import's duration.
import type { DB } from './db.ts';

/**
 * Page cache while an import runs: rows inserted into a roster that already has a million keep
 * touching index pages all over the B-trees, and with SQLite's default 2 MB cache the same
 * pages are spilled to the WAL and read back again and again. A fixed size, so memory stays
 * bounded. Returns the function that puts the previous size back.
 */
export const IMPORT_CACHE_MB = Number(process.env.LBC_IMPORT_CACHE_MB) || 32;

export function enlargeCacheForImport(db: DB): () => void {
  const before = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.round(IMPORT_CACHE_MB * 1024)}`);
  return () => void db.pragma(`cache_size = ${Number(before)}`);
}

export class ImportKeys {
  private readonly insert;

  constructor(private readonly db: DB) {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS import_keys (k TEXT PRIMARY KEY) WITHOUT ROWID');
    db.exec('DELETE FROM temp.import_keys');
    this.insert = db.prepare('INSERT OR IGNORE INTO temp.import_keys (k) VALUES (?)');
  }

  /** Records the key; false when it was met before. */
  add(key: string): boolean {
    return this.insert.run(key).changes === 1;
  }

  clear(): void {
    this.db.exec('DELETE FROM temp.import_keys');
  }
}
