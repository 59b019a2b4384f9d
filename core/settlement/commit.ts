// Commits a journal write and reads back what the caller is told. One function for every writer
// (settle, the service) so the crash test's ghost-commit fault (core/config/test-fault.ts) sits
// where a real ghost would: the answer is read, then the transaction is rolled back.
import { testFault } from '../config/test-fault.ts';
import type { DB } from '../store/db.ts';

const GHOST = Symbol('ghost-commit');

export function commitRecord<T, R>(db: DB, write: () => T, read: (written: T) => R): R {
  // Only the outermost transaction can ghost: a nested one is a savepoint of a caller's commit.
  if (!db.inTransaction && testFault() === 'ghost-commit') {
    let told: R | undefined;
    try {
      db.transaction(() => {
        told = read(write());
        throw GHOST;
      })();
    } catch (e) {
      if (e !== GHOST) throw e;
    }
    return told as R;
  }
  return read(db.transaction(write)());
}
