// Seed 000 附件2 “两病常用药目录（参考）” — every entry as the attachment prints it: group,
// generic name, dosage form, 甲/乙 class, restriction (限二线用药) and 谈判药品 flag. 二甲双胍
// is listed with two dosage forms of different classes, so it is two catalog items.
// Names are kept exactly as printed (格列酮, 呋达帕胺 included), since the list is the source.

export interface ListedDrug {
  category: 'antidiabetic' | 'antihypertensive';
  group: string;
  name: string;
  form: string;
  drugClass: '甲' | '乙';
  restriction: string | null;
  negotiated: boolean;
  /** ATC code used to shape the synthetic national code (demo only). */
  atc: string;
}

const d = (group: string, name: string, form: string, drugClass: '甲' | '乙', atc: string, extra: { restriction?: string; negotiated?: boolean } = {}): ListedDrug => ({
  category: 'antidiabetic',
  group,
  name,
  form,
  drugClass,
  restriction: extra.restriction ?? null,
  negotiated: extra.negotiated ?? false,
  atc,
});
const h = (group: string, name: string, form: string, drugClass: '甲' | '乙', atc: string): ListedDrug => ({ category: 'antihypertensive', group, name, form, drugClass, restriction: null, negotiated: false, atc });

const ORAL = '口服常释剂型';
const SECOND_LINE = '限二线用药';

/** 1. 基层糖尿病常用药目录 */
export const DIABETES_LIST: ListedDrug[] = [
  d('双胍类', '二甲双胍', ORAL, '甲', 'A10BA02'),
  d('双胍类', '二甲双胍', '缓释控释剂型', '乙', 'A10BA02'),
  d('磺脲类', '格列本脲', ORAL, '甲', 'A10BB01'),
  d('磺脲类', '格列吡嗪', ORAL, '甲', 'A10BB07'),
  d('磺脲类', '格列齐特', ORAL, '甲', 'A10BB09'),
  d('磺脲类', '格列酮', ORAL, '甲', 'A10BB08'),
  d('磺脲类', '格列美脲', ORAL, '甲', 'A10BB12'),
  d('格列奈类', '瑞格列奈', ORAL, '乙', 'A10BX02'),
  d('格列奈类', '那格列奈', ORAL, '乙', 'A10BX03'),
  d('格列奈类', '米格列奈钙片', ORAL, '乙', 'A10BX05'),
  d('α-糖苷酶抑制剂', '阿卡波糖', ORAL, '甲', 'A10BF01'),
  d('α-糖苷酶抑制剂', '伏格列波糖', ORAL, '乙', 'A10BF03'),
  d('α-糖苷酶抑制剂', '米格列醇', ORAL, '乙', 'A10BF02'),
  d('噻唑烷二酮类', '罗格列酮', ORAL, '乙', 'A10BG02'),
  d('噻唑烷二酮类', '吡格列酮', ORAL, '乙', 'A10BG03'),
  d('DPP-4 抑制剂', '西格列汀', ORAL, '乙', 'A10BH01', { restriction: SECOND_LINE }),
  d('DPP-4 抑制剂', '沙格列汀', ORAL, '乙', 'A10BH03', { restriction: SECOND_LINE }),
  d('DPP-4 抑制剂', '维格列汀', ORAL, '乙', 'A10BH02'),
  d('DPP-4 抑制剂', '利格列汀', ORAL, '乙', 'A10BH05', { restriction: SECOND_LINE }),
  d('DPP-4 抑制剂', '阿格列汀', ORAL, '乙', 'A10BH04', { restriction: SECOND_LINE }),
  d('SGLT-2 抑制剂', '达格列净', ORAL, '乙', 'A10BK01', { restriction: SECOND_LINE, negotiated: true }),
  d('SGLT-2 抑制剂', '恩格列净', ORAL, '乙', 'A10BK03', { restriction: SECOND_LINE, negotiated: true }),
  d('SGLT-2 抑制剂', '卡格列净', ORAL, '乙', 'A10BK02', { restriction: SECOND_LINE, negotiated: true }),
  d('胰岛素类', '重组人胰岛素', '注射剂', '甲', 'A10AB01'),
  d('胰岛素类', '生物合成人胰岛素', '注射剂', '甲', 'A10AB01'),
  d('胰岛素类', '胰岛素', '注射剂', '甲', 'A10AB01'),
  d('胰岛素类', '低精蛋白锌胰岛素', '注射剂', '甲', 'A10AC01'),
  d('胰岛素类', '精蛋白锌重组人胰岛素', '注射剂', '甲', 'A10AC01'),
  d('胰岛素类', '精蛋白重组人胰岛素', '注射剂', '甲', 'A10AC01'),
  d('胰岛素类', '精蛋白锌胰岛素（30R）', '注射剂', '甲', 'A10AD01'),
  d('胰岛素类', '30/70 混合重组人胰岛素', '注射剂', '甲', 'A10AD01'),
  d('胰岛素类', '50/50 混合重组人胰岛素', '注射剂', '甲', 'A10AD01'),
  d('胰岛素类', '精蛋白重组人胰岛素混合（30R）', '注射剂', '甲', 'A10AD01'),
  d('胰岛素类', '精蛋白重组人胰岛素混合（50R）', '注射剂', '甲', 'A10AD01'),
  d('胰岛素类', '精蛋白重组人胰岛素（预混30/70）', '注射剂', '甲', 'A10AD01'),
  d('胰岛素类', '精蛋白重组人胰岛素混合（30/70）', '注射剂', '甲', 'A10AD01'),
  d('胰岛素类', '精蛋白重组人胰岛素混合（50/50）', '注射剂', '甲', 'A10AD01'),
];

/** 2. 基层高血压常用药目录 */
export const HYPERTENSION_LIST: ListedDrug[] = [
  h('ACEI 类', '依那普利', ORAL, '甲', 'C09AA02'),
  h('ACEI 类', '卡托普利', ORAL, '甲', 'C09AA01'),
  h('ACEI 类', '培哌普利', ORAL, '乙', 'C09AA04'),
  h('ACEI 类', '贝那普利', ORAL, '乙', 'C09AA07'),
  h('ACEI 类', '雷米普利', ORAL, '乙', 'C09AA05'),
  h('ACEI 类', '福辛普利', ORAL, '乙', 'C09AA09'),
  h('ACEI 类', '赖诺普利', ORAL, '乙', 'C09AA03'),
  h('ACEI 类', '咪达普利', ORAL, '乙', 'C09AA16'),
  h('ARB 类', '缬沙坦', ORAL, '甲', 'C09CA03'),
  h('ARB 类', '氯沙坦', ORAL, '乙', 'C09CA01'),
  h('ARB 类', '厄贝沙坦', ORAL, '乙', 'C09CA04'),
  h('ARB 类', '替米沙坦', ORAL, '乙', 'C09CA07'),
  h('ARB 类', '坎地沙坦', ORAL, '乙', 'C09CA06'),
  h('ARB 类', '奥美沙坦酯', ORAL, '乙', 'C09CA08'),
  h('α、β 受体阻滞剂类', '阿替洛尔', ORAL, '甲', 'C07AB03'),
  h('α、β 受体阻滞剂类', '美托洛尔', ORAL, '甲', 'C07AB02'),
  h('α、β 受体阻滞剂类', '比索洛尔', ORAL, '甲', 'C07AB07'),
  h('α、β 受体阻滞剂类', '卡维地洛', ORAL, '乙', 'C07AG02'),
  h('α、β 受体阻滞剂类', '阿罗洛尔', ORAL, '乙', 'C07AG03'),
  h('α、β 受体阻滞剂类', '拉贝洛尔', ORAL, '乙', 'C07AG01'),
  h('钙通道阻滞剂类', '氨氯地平', ORAL, '甲', 'C08CA01'),
  h('钙通道阻滞剂类', '硝苯地平', ORAL, '甲', 'C08CA05'),
  h('钙通道阻滞剂类', '尼群地平', ORAL, '甲', 'C08CA08'),
  h('钙通道阻滞剂类', '拉西地平', ORAL, '乙', 'C08CA09'),
  h('钙通道阻滞剂类', '贝尼地平', ORAL, '乙', 'C08CA15'),
  h('钙通道阻滞剂类', '乐卡地平', ORAL, '乙', 'C08CA13'),
  h('钙通道阻滞剂类', '西尼地平', ORAL, '乙', 'C08CA14'),
  h('利尿剂类', '氢氯噻嗪', ORAL, '乙', 'C03AA03'),
  h('利尿剂类', '呋达帕胺', ORAL, '乙', 'C03BA11'),
];

export const TWO_DISEASE_LIST: ListedDrug[] = [...DIABETES_LIST, ...HYPERTENSION_LIST];
