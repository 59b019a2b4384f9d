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
