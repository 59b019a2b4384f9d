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

// The class a drug's ATC group stands for, where the catalog names no group (the 附件2 groups).
const ATC_CLASS: [prefix: string, zh: string][] = [
  ['C02', '其他降压药'], ['C03', '利尿剂类'], ['C07', 'β 受体阻滞剂类'], ['C08', '钙通道阻滞剂类'],
  ['C09A', 'ACEI 类'], ['C09B', 'ACEI 类'], ['C09C', 'ARB 类'], ['C09D', 'ARB 类'], ['C09', '其他降压药'],
  ['A10A', '胰岛素类'], ['A10BA', '双胍类'], ['A10BB', '磺脲类'], ['A10BF', 'α-糖苷酶抑制剂'], ['A10BG', '噻唑烷二酮类'],
  ['A10BH', 'DPP-4 抑制剂'], ['A10BK', 'SGLT-2 抑制剂'], ['A10BJ', 'GLP-1 受体激动剂'], ['A10BX', '格列奈类'], ['A10', '其他降糖药'],
];
const groupOf = (i: StockedItem) => i.drugGroup ?? ATC_CLASS.find(([p]) => i.code.startsWith(`X${p}`))?.[1] ?? i.genericName;

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
