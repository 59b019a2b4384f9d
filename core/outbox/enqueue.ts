// Puts a settlement record in the outbox, inside the settlement's own transaction: one row and
// one message per platform step, each msgid assigned now from the persistent sequence.
import { v7 as uuidv7 } from 'uuid';
import type { DB } from '../store/db.ts';
import type { SettlementRow } from '../store/journal.ts';
import { insertMessages, insertOutbox, nextMsgids, type OutboxStatus, type Step } from '../store/outbox.ts';

/** Bumped when the payload a row produces changes shape (carried on every row, cf. anchors B "version skew"). */
export const OUTBOX_SCHEMA_VERSION = 1;
export const APP_VERSION = process.env.npm_package_version ?? '0.1.0';

export function enqueueRecord(
  db: DB,
  o: { settlement: SettlementRow; steps: Step[]; dependsOn: string | null; status: Extract<OutboxStatus, 'pending' | 'cancelled'>; now: Date; id?: string },
): string {
  const id = o.id ?? uuidv7();
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
  // All the steps' msgids and messages in a fixed number of statements (the sale's transaction stays short).
  const msgids = nextMsgids(db, o.settlement.institution_code, o.now, o.steps.length);
  insertMessages(db, o.steps.map((step, i) => ({ msgid: msgids[i]!, outbox_id: id, step: i, attempt: 0, infno: step.infno, status: 'planned' as const })));
  return id;
}
