// SQL the importer needs beside the roster and catalog writers: the records already on file
// that an import has met so far (a repeated key in one file is refused), kept in a temporary
// table rather than in memory, so a million-row file costs no heap.
import type { DB } from './db.ts';

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
