// Puts a settlement record in the outbox, inside the settlement's own transaction: one row and
// one message per platform step, each msgid assigned now from the persistent sequence.
import { v7 as uuidv7 } from 'uuid';
import type { DB } from '../store/db.ts';
import type { SettlementRow } from '../store/journal.ts';
import { insertMessage, insertOutbox, nextMsgid, type OutboxStatus, type Step } from '../store/outbox.ts';

/** Bumped when the payload a row produces changes shape (carried on every row, cf. anchors B "version skew"). */
export const OUTBOX_SCHEMA_VERSION = 1;
export const APP_VERSION = process.env.npm_package_version ?? '0.1.0';

export function enqueueRecord(
  db: DB,
  o: { settlement: SettlementRow; steps: Step[]; dependsOn: string | null; status: Extract<OutboxStatus, 'pending' | 'cancelled'>; now: Date },
): string {
  const id = uuidv7();
  const iso = o.now.toISOString();
  insertOutbox(db, {
    id,
    settlement_id: o.settlement.id,
    kind: o.settlement.kind,
    status: o.steps.length === 0 ? 'cancelled' : o.status,
    depends_on: o.dependsOn,
    settle_date: o.settlement.settle_date,
    steps_json: JSON.stringify(o.steps),
    schema_version: OUTBOX_SCHEMA_VERSION,
    app_version: APP_VERSION,
    created_at: iso,
    updated_at: iso,
  });
  o.steps.forEach((step, i) => {
    insertMessage(db, { msgid: nextMsgid(db, o.settlement.institution_code, o.now), outbox_id: id, step: i, attempt: 0, infno: step.infno, status: 'planned' });
  });
  return id;
}
