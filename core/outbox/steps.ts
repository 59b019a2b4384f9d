// Which platform transactions carry a settlement record, in order. Clinics go through the
// outpatient set (2201 visit number → 2203 visit → 2204 fee detail → 2207 settle; 2208 undo),
// pharmacies through the retail set (2102 settle; 2103 undo). The 2206/2101 previews are skipped
// by default: the counter already has its own split and the platform's comes back with the
// settlement; a province that asks for the pharmacy preview (pharmacyPreview) gets 2101 first.
import type { Step } from '../store/outbox.ts';
import { loadPlatformConfig } from '../platform/config.ts';

export type InstitutionType = 'clinic' | 'pharmacy';

export const INFNO = {
  clinic: { register: '2201', visit: '2203', fees: '2204', settle: '2207', reverse: '2208' },
  pharmacy: { preview: '2101', settle: '2102', reverse: '2103' },
  /** 3505 商品销售: the dispensed drugs for the 进销存 record, after the settlement (where the province asks for it). */
  goods: '3505',
} as const;

/**
 * The steps of a sale. `policy` names the region: where provinces.json sets goodsSaleUpload (the
 * 进销存 supervision, e.g. seed 004 §(四)), the dispensed drugs follow the settlement as 3505.
 */
export function saleSteps(type: InstitutionType, policy?: string): Step[] {
  const region = policy ? loadPlatformConfig().region(policy) : null;
  const goods: Step[] = region?.goodsSaleUpload ? [{ action: 'goods', infno: INFNO.goods }] : [];
  if (type === 'pharmacy') {
    const preview: Step[] = region?.pharmacyPreview ? [{ action: 'preview', infno: INFNO.pharmacy.preview }] : [];
    return [...preview, { action: 'settle', infno: INFNO.pharmacy.settle }, ...goods];
  }
  const c = INFNO.clinic;
  return [
    { action: 'register', infno: c.register },
    { action: 'visit', infno: c.visit },
    { action: 'fees', infno: c.fees },
    { action: 'settle', infno: c.settle },
    ...goods,
  ];
}

/** A reversal undoes the platform's current settlement of the sale; a partial return then settles what the patient kept. */
export function reversalSteps(type: InstitutionType, options: { reverse: boolean; resettle: boolean }): Step[] {
  const steps: Step[] = [];
  if (options.reverse) steps.push({ action: 'reverse', infno: INFNO[type].reverse });
  if (options.resettle) steps.push(...saleSteps(type));
  return steps;
}

export function parseSteps(json: string): Step[] {
  return JSON.parse(json) as Step[];
}
