// A settlement record as the CLI, the service and the receipt see it: the sale pipeline's one
// read model (core/sale/read.ts), kept under its old names for the journal's other readers.
import type { DB } from '../store/db.ts';
import type { SettlementRow } from '../store/journal.ts';
import { readSettlement, OUTBOX_STATUS_ZH, type SettlementRecord } from '../sale/read.ts';

export { OUTBOX_STATUS_ZH, type SettlementRecord };

export function toRecord(db: DB, row: SettlementRow): SettlementRecord {
  return readSettlement(db, row.id)!.record;
}

export function loadRecord(db: DB, id: string): SettlementRecord | null {
  return readSettlement(db, id)?.record ?? null;
}
