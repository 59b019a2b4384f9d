// One earlier dispensing of a drug, as core/store keeps it and core/supervision's refill rule reads it.
export interface DispensedEntry {
  date: string;
  genericName: string;
  /** The catalog's ingredient class (e.g. "ARB类"); null when unknown. */
  drugGroup: string | null;
  days: number;
  code?: string | null;
  /** Where it was dispensed: this counter, history the roster import carried, or another institution per the platform (5205). */
  source: 'counter' | 'import' | 'platform';
  institution?: string | null;
}
