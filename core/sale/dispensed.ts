// The boxes a sale dispenses, checked before it prices (pure; the context reads which codes were
// sold here already): each 药品追溯码 at most once in the sale, never more codes than whole
// packages, never a code this counter (or, through the hub, another counter of the group) has
// sold; an expired batch is refused and one near its expiry warned about. Where the region
// requires trace codes, every drug line must carry one per package before it settles.
import { InputError, Refusal, problem, type Problem } from '../contract/problems.ts';
import { NEAR_EXPIRY_DAYS } from '../contract/dispensed.ts';
import type { SaleLine } from '../contract/sale.ts';
import { Decimal } from '../money/decimal.ts';
import type { SoldTraceCode } from '../store/trace-codes.ts';

export interface DispenseFinding {
  code: 'NEAR_EXPIRY';
  message: string;
}

/** Whole packages a quantity covers (a split pack still comes from one box). */
export function boxesOf(quantity: string): number {
  return new Decimal(quantity).ceil().toNumber();
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The trace codes and the expiry of a sale's lines; returns each line's warnings by index. */
export function checkDispensed(lines: readonly SaleLine[], names: readonly string[], date: string, sold: readonly SoldTraceCode[]): Map<number, DispenseFinding[]> {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  lines.forEach((l, i) => {
    const codes = l.traceCodes ?? [];
    codes.forEach((c, j) => {
      const first = seen.get(c);
      if (first !== undefined) {
        problems.push(problem(`lines.${i}.traceCodes.${j}`, 'DUPLICATE_TRACE_CODE', `trace code ${c} is scanned twice in this sale`, `追溯码 ${c} 在本单中重复扫描，每盒药只扫一次`));
      } else seen.set(c, i);
    });
    const boxes = boxesOf(l.quantity);
    if (codes.length > boxes) {
      problems.push(problem(`lines.${i}.traceCodes`, 'TOO_MANY_TRACE_CODES', `${codes.length} trace codes for ${l.quantity} packages`, `${names[i] ?? ''} 数量为 ${l.quantity} 盒，却扫了 ${codes.length} 个追溯码`));
    }
  });
  if (problems.length > 0) {
    throw new InputError('INVALID_TRACE_CODES', `Trace codes are invalid (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')})`, problems.map((p) => p.messageZh).join('；'), problems);
  }
  if (sold.length > 0) throw soldRefusal(sold);
  const out = new Map<number, DispenseFinding[]>();
  lines.forEach((l, i) => {
    if (!l.expiry) return;
    const left = daysBetween(date, l.expiry);
    const name = names[i] ?? '';
    if (left < 0) {
      const en = `line ${i + 1} (${l.batch ?? 'no batch'}) expired on ${l.expiry}`;
      const zh = `${name}${l.batch ? `（批号 ${l.batch}）` : ''}已于 ${l.expiry} 过期，不能销售，请更换未过期的药品`;
      throw new Refusal('EXPIRED', en, zh, [{ path: `lines.${i}.expiry`, code: 'EXPIRED', message: en, messageZh: zh }]);
    }
    if (left <= NEAR_EXPIRY_DAYS) {
      out.set(i, [{ code: 'NEAR_EXPIRY', message: `近效期：${l.batch ? `批号 ${l.batch}，` : ''}有效期至 ${l.expiry}，还剩 ${left} 天` }]);
    }
  });
  return out;
}

/** A code already sold: refused, naming the code and where it went. */
export function soldRefusal(sold: readonly { code: string; receiptNo?: string; lineName?: string; elsewhere?: boolean }[]): Refusal {
  const en = `trace code(s) already sold: ${sold.map((s) => s.code).join(', ')}`;
  const zh = sold
    .map((s) => (s.elsewhere ? `追溯码 ${s.code} 已在本机构其他柜台或本连锁其他门店售出` : `追溯码 ${s.code} 已售出${s.lineName ? `（${s.lineName}` : '（'}，票据号 ${s.receiptNo ?? ''}）`))
    .join('；');
  return new Refusal('TRACE_CODE_SOLD', en, `${zh}。同一盒药不能重复销售，请核对药盒后重新扫码`, sold.map((s) => ({ path: 'lines.traceCodes', code: 'TRACE_CODE_SOLD', message: `${s.code} already sold`, messageZh: `追溯码 ${s.code} 已售出` })));
}

/** Where the region requires trace codes: every drug line carries one per package (checked before settling). */
export function assertTraceCodesComplete(lines: readonly SaleLine[], names: readonly string[]): void {
  const missing = lines.flatMap((l, i) => ((l.kind ?? 'drug') === 'drug' && (l.traceCodes?.length ?? 0) < boxesOf(l.quantity) ? [i] : []));
  if (missing.length === 0) return;
  const zh = `本地区要求扫描药品追溯码：${missing.map((i) => `${names[i] ?? ''} 需 ${boxesOf(lines[i]!.quantity)} 个，已扫 ${lines[i]!.traceCodes?.length ?? 0} 个`).join('；')}`;
  const en = `this region requires a trace code per package: lines ${missing.map((i) => i + 1).join(', ')} are short`;
  throw new Refusal('TRACE_CODES_REQUIRED', en, zh, missing.map((i) => ({ path: `lines.${i}.traceCodes`, code: 'TRACE_CODES_REQUIRED', message: en, messageZh: zh })));
}
