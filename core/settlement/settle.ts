// settle(): a sale whose facts the caller supplies (scripts, tests, the CLI's DirectSale): the
// facts are checked where they enter, the engine's answer must be for this very request, and the
// sale is committed by the pipeline's one writer (core/sale commitSale) in ONE transaction.
import { InputError, parseOrThrow } from '../contract/problems.ts';
import type { QuoteResult } from '../contract/quote.ts';
import type { DB } from '../store/db.ts';
import { commitSale } from '../sale/commit.ts';
import { commitRecord } from './commit.ts';
import { readSettlement, type SettlementRecord } from '../sale/read.ts';
import { SettleInputSchema, type SettleInput } from './contract.ts';

export interface SettleOptions {
  now?: Date;
  ids?: () => string;
}

function refuse(code: string, en: string, zh: string, path = ''): never {
  throw new InputError(code, en, zh, [{ path, code, message: en, messageZh: zh }]);
}

/** The result must be the engine's answer to this very request, and eligible. */
function checkResultMatches(input: SettleInput): void {
  const { request, result } = input;
  if (!result.eligible) {
    const why = result.reasons.map((r) => r.code).join(', ');
    refuse('NOT_ELIGIBLE', `This sale is not covered by the two-disease scheme (${why}); settle it as self-pay`, `本次购药不符合两病报销条件（${why}），请按自费结算`);
  }
  if (result.policy.id !== request.policy) refuse('RESULT_MISMATCH', 'The quote result is for another policy than the request', '结算结果与请求的政策不一致');
  const reqIds = request.lines.map((l) => l.id);
  const resIds = result.lines.map((l) => l.id);
  if (reqIds.join('\u0000') !== resIds.join('\u0000')) refuse('RESULT_MISMATCH', 'The quote result lines do not match the request lines', '结算结果的明细与请求不一致');
  const byId = new Set(input.lines.map((l) => l.lineId));
  reqIds.forEach((id, i) => {
    if (!byId.has(id)) refuse('LINE_WITHOUT_CATALOG', `line ${id} has no catalog code`, `明细 ${id} 缺少医保目录编码`, `lines.${i}`);
  });
}

export function settle(db: DB, raw: SettleInput, options: SettleOptions = {}): SettlementRecord {
  const parsed = parseOrThrow(SettleInputSchema, raw);
  const input: SettleInput = { ...raw, ...parsed, result: raw.result };
  checkResultMatches(input);
  const byLine = new Map(input.lines.map((l) => [l.lineId, l]));
  // commitRecord: the one place the crash test's ghost-commit fault can roll the answer back (core/config/test-fault.ts).
  return commitRecord(db, () => commitSale(
    db,
    {
      request: input.request,
      result: input.result,
      patient: input.patient,
      institution: input.institution,
      // In the engine's line order (the journal numbers lines as the request does).
      lines: input.request.lines.map((l) => byLine.get(l.id)!),
      dispensing: null,
      prescription: null,
    },
    { operator: { ...input.operator, role: null }, requestId: input.requestId ?? null, now: options.now ?? new Date(), ids: options.ids },
  ), (id) => readSettlement(db, id)!.record);
}

export type { QuoteResult };
