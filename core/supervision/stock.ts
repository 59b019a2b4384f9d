// Stock compliance (seed 000 §二.(三).6): a township health centre stocks at least 20 VBP
// two-disease drugs, a village clinic at least 6, and each keeps five classes of antihypertensives
// and five of antidiabetics. Pure: the caller gives the items the institution stocks.
import { treatsOf } from '../contract/catalog.ts';
import type { DrugCategory } from '../contract/catalog.ts';

export type FacilityKind = 'health-centre' | 'village-clinic';

/** The seed's minimum number of VBP two-disease drugs (种) per kind of institution. */
export const VBP_MINIMUM: Record<FacilityKind, number> = { 'health-centre': 20, 'village-clinic': 6 };
/** Classes (大类) of each kind to keep in stock. */
export const CLASS_MINIMUM = 5;
export const FACILITY_ZH: Record<FacilityKind, string> = { 'health-centre': '乡镇（街道）卫生院、社区卫生服务中心', 'village-clinic': '村卫生室、社区卫生服务站' };

/** Which minimum applies, from the institution's name (the seed names the kinds, not levels); null for others. */
export function facilityKind(inst: { name: string; type: 'clinic' | 'pharmacy' }): FacilityKind | null {
  if (inst.type !== 'clinic') return null;
  if (/卫生室|卫生服务站|卫生所/.test(inst.name)) return 'village-clinic';
  if (/卫生院|卫生服务中心/.test(inst.name)) return 'health-centre';
  return null;
}

export interface StockedItem {
  code: string;
  genericName: string;
  category: DrugCategory;
  /** The pharmacological group (双胍类, ACEI 类 …); else the ATC group of the code stands for it. */
  drugGroup: string | null;
  vbp: boolean;
}

export interface StockCompliance {
  kind: FacilityKind | null;
  kindZh: string;
  /** Distinct VBP two-disease drugs (by generic name) stocked. */
  vbpDrugs: string[];
  vbpMinimum: number | null;
  classes: Record<'hypertension' | 'diabetes', string[]>;
  classMinimum: number;
  meets: boolean;
  /** What is short, in plain Chinese (empty when the institution meets the minimum). */
  shortfallsZh: string[];
}

const groupOf = (i: StockedItem) => i.drugGroup ?? (i.code.startsWith('X') ? `ATC ${i.code.slice(1, i.code.startsWith('XA10') ? 6 : 4)}` : i.genericName);

export function stockCompliance(inst: { name: string; type: 'clinic' | 'pharmacy' }, items: readonly StockedItem[]): StockCompliance {
  const kind = facilityKind(inst);
  const vbp = new Set<string>();
  const classes = { hypertension: new Set<string>(), diabetes: new Set<string>() };
  for (const i of items) {
    const treats = treatsOf({ category: i.category, code: i.code });
    if (!treats) continue;
    classes[treats].add(groupOf(i));
    if (i.vbp) vbp.add(i.genericName);
  }
  const vbpMinimum = kind ? VBP_MINIMUM[kind] : null;
  const shortfallsZh: string[] = [];
  if (vbpMinimum !== null && vbp.size < vbpMinimum) shortfallsZh.push(`集采中选两病药品 ${vbp.size} 种，少于 ${vbpMinimum} 种（还差 ${vbpMinimum - vbp.size} 种）`);
  if (classes.hypertension.size < CLASS_MINIMUM) shortfallsZh.push(`降压药 ${classes.hypertension.size} 大类，少于 ${CLASS_MINIMUM} 大类`);
  if (classes.diabetes.size < CLASS_MINIMUM) shortfallsZh.push(`降糖药 ${classes.diabetes.size} 大类，少于 ${CLASS_MINIMUM} 大类`);
  return {
    kind,
    kindZh: kind ? FACILITY_ZH[kind] : '不属于卫生院或卫生室（无配备种数要求）',
    vbpDrugs: [...vbp].sort(),
    vbpMinimum,
    classes: { hypertension: [...classes.hypertension].sort(), diabetes: [...classes.diabetes].sort() },
    classMinimum: CLASS_MINIMUM,
    meets: shortfallsZh.length === 0,
    shortfallsZh,
  };
}
