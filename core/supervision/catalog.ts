// Supervision from what the counter knows at the till: the national code, the quantity and the
// daily dose. Generic name, ingredient class and package size come from the catalog, so the
// screen (or the host POS) does not have to send them.
import { z } from 'zod';
import type { DB } from '../store/db.ts';
import type { PolicyBook } from '../policy/load.ts';
import { InputError, parseOrThrow } from '../contract/problems.ts';
import { decimalField, isoDate } from '../contract/fields.ts';
import { catalogDrugFacts } from '../store/supervision.ts';
import { recordDispensing, superviseSale } from './index.ts';
import type { SupervisionLine } from './check.ts';
import { packageSizeOf } from './supply.ts';

export { packageSizeOf } from './supply.ts';

export const CounterLineSchema = z
  .object({
    id: z.string().min(1).max(64),
    code: z.string().min(1).max(50),
    quantity: decimalField({ maxDecimals: 4, positive: true, what: 'quantity', whatZh: '数量' }),
    quantityUnit: z.enum(['package', 'unit']).default('package'),
    dailyDose: decimalField({ maxDecimals: 4, positive: true, what: 'dailyDose', whatZh: '日剂量' }).optional(),
    days: z.number().int().positive().max(3660).optional(),
    /** Overrides the catalog when it has no package size (or the drug is sold loose). */
    packageSize: decimalField({ maxDecimals: 4, positive: true, what: 'packageSize', whatZh: '包装规格' }).optional(),
  })
  .refine((l) => l.dailyDose !== undefined || l.days !== undefined, { message: 'give dailyDose (units per day) or days', params: { zh: '请填写日剂量或用药天数' }, path: ['dailyDose'] });

export const CounterSaleSchema = z.object({
  policy: z.string().min(1),
  psnNo: z.string().min(1).max(30),
  date: isoDate('date', '日期'),
  lines: z.array(CounterLineSchema).min(1).max(500),
});
export type CounterSaleInput = z.input<typeof CounterSaleSchema>;

/** Turns counter lines into supervision lines with the catalog's facts; names every line it cannot. */
export function linesFromCatalog(db: DB, lines: z.output<typeof CounterLineSchema>[]): SupervisionLine[] {
  const facts = catalogDrugFacts(db, lines.map((l) => l.code));
  const problems: { path: string; code: string; message: string; messageZh: string }[] = [];
  const out = lines.map((l, i): SupervisionLine => {
    const f = facts.get(l.code);
    if (!f) {
      problems.push({ path: `lines.${i}.code`, code: 'UNKNOWN_DRUG', message: `${l.code} is not in the catalog`, messageZh: `目录中没有 ${l.code}` });
      return { ...l, genericName: l.code, drugGroup: null, packageSize: '1' };
    }
    const size = l.packageSize ?? packageSizeOf(f.packageSize, f.spec);
    if (size === null && l.quantityUnit === 'package' && l.days === undefined) {
      problems.push({ path: `lines.${i}.packageSize`, code: 'PACKAGE_SIZE_UNKNOWN', message: `the catalog gives no package size for ${f.genericName} (${f.spec ?? 'no spec'}); give packageSize or days`, messageZh: `目录未注明${f.genericName}的包装数量，请填写包装规格或用药天数` });
    }
    return { ...l, genericName: f.genericName, drugGroup: f.drugGroup, packageSize: size ?? '1' };
  });
  if (problems.length) throw new InputError('INVALID_REQUEST', `The sale cannot be checked (${problems[0]!.path}: ${problems[0]!.message})`, '无法进行用药监管检查', problems);
  return out;
}

/** The check before a sale is confirmed, from code, quantity and dose. */
export function superviseCounterSale(db: DB, book: PolicyBook, raw: CounterSaleInput) {
  const sale = parseOrThrow(CounterSaleSchema, raw);
  return superviseSale(db, book, { policy: sale.policy, psnNo: sale.psnNo, date: sale.date, lines: linesFromCatalog(db, sale.lines) });
}

/** After settle(): the sale's supply into the history, in the same transaction as the settlement. */
export function recordCounterDispensing(
  db: DB,
  d: { settlementId: string; psnNo: string; date: string; institution: string | null; lines: z.input<typeof CounterLineSchema>[]; overrideIds?: string[] },
  now: Date = new Date(),
): void {
  const lines = linesFromCatalog(db, d.lines.map((l) => parseOrThrow(CounterLineSchema, l)));
  recordDispensing(db, { ...d, lines }, now);
}
