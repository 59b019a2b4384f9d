// Days of supply of a dispensed line, and the region's ceiling per prescription
// (seed 001 §四 12 weeks, seed 002 §六.(二) 4–12 weeks, seed 003 §二.(一).4 3 months,
// seed 004 §二.(三) three-month long prescriptions; the figures are policy data: `supply`).
import { Decimal } from '../money/decimal.ts';

export interface SupplyInput {
  /** How many were sold, as a decimal string. */
  quantity: string;
  /** 'package': quantity counts packages (boxes); 'unit': it counts the smallest units (tablets). */
  quantityUnit: 'package' | 'unit';
  /** Smallest units per package (28 tablets a box). */
  packageSize: string;
  /** Smallest units taken per day (1 tablet, 0.5 tablet, 2 × 2 tablets = 4). */
  dailyDose: string;
}

/**
 * Whole days the quantity lasts at the daily dose. Rounded down: a part-day's tablets do not
 * cover a day, and rounding up would let a prescription one day over the ceiling through.
 */
export function daysOfSupply(s: SupplyInput): number {
  const dose = new Decimal(s.dailyDose);
  if (!dose.greaterThan(0)) throw new RangeError('dailyDose must be greater than zero');
  const size = new Decimal(s.packageSize);
  if (!size.greaterThan(0)) throw new RangeError('packageSize must be greater than zero');
  const units = s.quantityUnit === 'package' ? new Decimal(s.quantity).times(size) : new Decimal(s.quantity);
  return units.dividedBy(dose).floor().toNumber();
}

/** The most packages (or units) that stay within maxDays at the daily dose. */
export function maxQuantityFor(maxDays: number, s: Omit<SupplyInput, 'quantity'>): string {
  const units = new Decimal(maxDays).times(s.dailyDose);
  return s.quantityUnit === 'package' ? units.dividedBy(s.packageSize).floor().toString() : units.floor().toString();
}

/**
 * Whole packages only, unless the catalog allows the item to be split (拆零). A split sale must
 * still come to whole smallest units when the package size is known (0.5 × 28 = 14 tablets).
 * Returns the reason the quantity cannot be sold, or null when it can.
 */
export function packageQuantityProblem(
  quantity: string,
  item: { name: string; splitPack: boolean; packageSize: string | null; packageUnit?: string | null; minUnit?: string | null },
): { message: string; messageZh: string } | null {
  const q = new Decimal(quantity);
  if (q.isInteger()) return null;
  const unit = item.packageUnit || '盒';
  if (!item.splitPack) {
    return {
      message: `${item.name} is sold in whole packages only (the catalog does not allow split packs); got ${quantity}`,
      messageZh: `${item.name}不可拆零，只能按整${unit}销售（收到 ${quantity}${unit}）`,
    };
  }
  if (item.packageSize !== null && !q.times(item.packageSize).isInteger()) {
    return {
      message: `${quantity} package(s) of ${item.name} is not a whole number of units (${item.packageSize} a package)`,
      messageZh: `${item.name}拆零须为整${item.minUnit || '片'}：每${unit}${item.packageSize}${item.minUnit || '片'}，${quantity}${unit}不是整数`,
    };
  }
  return null;
}

/**
 * Days of supply a sold line covers: the prescription's days when typed, else counted from the
 * catalog's usual daily dose and package size; null when neither is known (no check possible).
 */
export function supplyDaysOf(
  line: { quantity: string; days?: number | undefined },
  item: { usualDailyDose: string | null; packageSize: string | null },
): { days: number; from: 'prescription' | 'usual-dose' } | null {
  if (line.days !== undefined) return { days: line.days, from: 'prescription' };
  if (item.usualDailyDose === null || item.packageSize === null) return null;
  if (!new Decimal(item.usualDailyDose).greaterThan(0) || !new Decimal(item.packageSize).greaterThan(0)) return null;
  return { days: daysOfSupply({ quantity: line.quantity, quantityUnit: 'package', packageSize: item.packageSize, dailyDose: item.usualDailyDose }), from: 'usual-dose' };
}

/**
 * Smallest units in a package: the catalog's package size when it is a number, else read from
 * the specification ("30片/盒", "0.5g×30片/盒", "5mg*28片", "7粒×4板/盒" = 28); null when neither says.
 */
export function packageSizeOf(packageSize: string | null, spec: string | null): string | null {
  if (packageSize && /^\d+(\.\d+)?$/.test(packageSize.trim())) return packageSize.trim();
  if (!spec) return null;
  const s = spec.normalize('NFKC').replace(/\s+/g, '');
  const unit = '(?:片|粒|丸|袋|支|瓶|贴|枚|包|s|T|C)';
  const boards = new RegExp(`(\\d+)${unit}[×x*](\\d+)(?:板|排|小盒)`).exec(s);
  if (boards) return String(Number(boards[1]) * Number(boards[2]));
  const count = new RegExp(`(?:^|[×x*])(\\d+)${unit}(?:/|$)`).exec(s) ?? new RegExp(`(\\d+)${unit}/(?:盒|瓶|袋|板)`).exec(s);
  return count ? count[1]! : null;
}
