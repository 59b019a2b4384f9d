// 5205 慢特病用药记录 in the refill rule's terms: each row another institution dispensed becomes a
// DispensedEntry (date, generic name and drug class from our catalog, days of supply). A row
// whose days are not given counts from its quantity only when the catalog knows the drug's
// daily-dose package (not carried here): without days it cannot cover anything and is skipped.
import type { z } from 'zod';
import type { DispensedEntry } from '../contract/dispensing.ts';
import type { Output5205Schema } from './envelope.ts';

export interface DrugNames {
  genericName: string;
  drugGroup: string | null;
}

export function dispensedFrom5205(out: z.output<typeof Output5205Schema>, ownCode: string, names: (code: string) => DrugNames | null): DispensedEntry[] {
  const entries: DispensedEntry[] = [];
  for (const r of out.rows) {
    if (r.fixmedins_code === ownCode) continue; // our own dispensing is already in the local history
    const days = Number(r.prd_days ?? '');
    if (!Number.isInteger(days) || days < 1 || days > 3660) continue;
    const n = names(r.med_list_codg) ?? (r.hilist_name ? { genericName: r.hilist_name, drugGroup: null } : null);
    if (!n) continue;
    entries.push({ date: r.fee_ocur_time.slice(0, 10), genericName: n.genericName, drugGroup: n.drugGroup, days, code: r.med_list_codg, source: 'platform', institution: r.fixmedins_name ?? r.fixmedins_code });
  }
  return entries;
}
