// The roster as an import target: the contract's field table and validator, the store's writer.
import { ROSTER_FIELDS, validateRosterRow, type RosterRecord } from '../contract/patient.ts';
import type { DB } from '../store/db.ts';
import { RosterWriter, type DuplicateRow } from '../store/roster.ts';
import { WorkerStartError, canImportInParallel, importRosterParallel } from './parallel.ts';
import { garbledUpdate, isMojibakeOf } from './garble.ts';
import { importFile, importText, type ImportOptions, type ImportReport, type ImportTarget } from './engine.ts';

const NAME_FIELD = ROSTER_FIELDS.find((f) => f.name === 'name')!;

const toKeys = (rows: DuplicateRow[] | null) => rows && rows.map((d) => ({ line: d.line, key: d.psnNo }));

export const ROSTER_TARGET: ImportTarget<RosterRecord> = {
  kind: 'roster',
  fields: ROSTER_FIELDS,
  key: 'psn_no',
  noun: { en: 'patient', zh: '人员' },
  open(db: DB) {
    const writer = new RosterWriter(db);
    return {
      isEmpty: () => writer.isEmpty(),
      lookup: (key) => writer.lookup(key),
      maxRowid: () => writer.maxRowid(),
      existing: (key) => writer.existing(key),
      touch: (key, hash) => writer.touch(key, hash),
      validate: validateRosterRow,
      guard: (r, old) => (isMojibakeOf(r.name, old.name) ? garbledUpdate(NAME_FIELD, r.name!, old.name!) : null),
      write: (r, hash, now, isNew) => writer.write(r, hash, now, isNew),
      queueNew: (r, hash, now, line) => toKeys(writer.queueNew(r, hash, now, line)),
      flushNew: () => toKeys(writer.flushNew()),
      beginBulk: () => writer.beginBulk(),
      deferIndexes: () => writer.deferIndexes(),
      endBulk: () => writer.endBulk(),
    };
  },
};

export function importRosterFile(db: DB, file: string, options: ImportOptions = {}): ImportReport {
  if (canImportInParallel(db, file, options)) {
    try {
      return importRosterParallel(db, file, options);
    } catch (e) {
      // Chosen automatically and the worker did not start (it rolled back before any row): one thread.
      if (options.parallel === true || !(e instanceof WorkerStartError)) throw e;
    }
  }
  return importFile(db, ROSTER_TARGET, file, options);
}

export function importRosterText(db: DB, text: string, options: ImportOptions = {}): ImportReport {
  return importText(db, ROSTER_TARGET, text, options);
}
