// Demo data: the seed 000 附件2 two-disease list as a catalog (synthetic but well-formed
// national codes and barcodes, DEMO prices clearly marked), and a demo roster across the five
// regions covering every flag combination, with valid GB 11643 ID numbers. The CSV files in
// resources/demo/ are generated from here (`npm run --silent cli -- demo seed` imports them
// through the same importer as a bureau file; test/unit/demo-data.test.ts keeps them in step).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DB } from '../store/db.ts';
import { csvCell } from '../import/csv.ts';
import { ean13, syntheticCertno } from '../import/synthetic.ts';
import { importCatalogText } from '../import/catalog.ts';
import { importRosterText } from '../import/roster.ts';
import type { ImportReport } from '../import/engine.ts';
import { getInstitution, setInstitution } from '../store/settings.ts';
import { TWO_DISEASE_LIST, type ListedDrug } from './list.ts';
import { resourcePath } from '../config/paths.ts';

export const DEMO_DIR = resourcePath('demo');
export const DEMO_CATALOG_FILE = 'catalog-two-disease.csv';
export const DEMO_ROSTER_FILE = 'roster.csv';

/** Prefecture-level list codes of the five regions (Lincang, Chongqing, Kunming, Ezhou, Dazhou). */
export const DEMO_PREFECTURES = ['530900', '500000', '530100', '420700', '511700'] as const;
/** 凤庆县 keeps its own county list (seed 000 §二.(三).5), without the negotiated SGLT-2 drugs. */
export const DEMO_COUNTY_WITH_OWN_LIST = '530921';

export const DEMO_NOTE = '演示价格（DEMO），非真实价格，不得用于实际结算；医保代码与条码为合成编码；目录条目出自临医保联发〔2024〕27号附件2（临沧市两病常用药目录参考），其他地区沿用作演示';

/** Oral drugs the demo marks as VBP winners (demo flags, not a statement about real tenders). */
const DEMO_VBP = new Set(['二甲双胍', '格列美脲', '格列齐特', '格列吡嗪', '阿卡波糖', '瑞格列奈', '吡格列酮', '西格列汀', '达格列净', '恩格列净', '依那普利', '贝那普利', '缬沙坦', '氯沙坦', '厄贝沙坦', '替米沙坦', '美托洛尔', '比索洛尔', '氨氯地平', '硝苯地平', '氢氯噻嗪']);

const money2 = (yuan: number, fen: number) => `${yuan}.${String(fen % 100).padStart(2, '0')}`;

export interface DemoDrug extends ListedDrug {
  n: number;
  code: string;
  ownCode: string;
  barcode: string;
  spec: string;
  unit: string;
  vbp: boolean;
  vbpPrice: string | null;
  paymentStandard: string;
  retailPrice: string;
  lists: string[];
}

export function demoDrugs(): DemoDrug[] {
  return TWO_DISEASE_LIST.map((entry, i) => {
    const n = i + 1;
    const injection = entry.form === '注射剂';
    // The first 二甲双胍 (常释) is the VBP one; its 缓释 form is not.
    const vbp = !injection && DEMO_VBP.has(entry.name) && !(entry.name === '二甲双胍' && entry.form !== '口服常释剂型');
    const base = injection ? money2(40 + ((n * 7) % 30), n * 37) : vbp ? money2(2 + ((n * 3) % 15), n * 29) : money2(12 + ((n * 11) % 40), n * 53);
    // Non-VBP items retail a little above the payment standard, so the in-scope amount differs.
    const retail = vbp ? base : money2(Number(base.split('.')[0]) + 2, Number(base.split('.')[1]) + 50);
    const lists: string[] = [...DEMO_PREFECTURES];
    if (!entry.negotiated) lists.push(DEMO_COUNTY_WITH_OWN_LIST);
    return {
      ...entry,
      n,
      code: `X${entry.atc}DEMO${String(n).padStart(11, '0')}`,
      ownCode: `YP${String(n).padStart(4, '0')}`,
      barcode: ean13(`6988${String(n).padStart(8, '0')}`),
      spec: injection ? '3ml:300单位/支' : entry.form === '缓释控释剂型' ? '0.5g×30片/盒' : '30片/盒',
      unit: injection ? '支' : '盒',
      vbp,
      vbpPrice: vbp ? base : null,
      paymentStandard: base,
      retailPrice: retail,
      lists: lists.sort(),
    };
  });
}

const CATALOG_COLUMNS = [
  'code', 'own_code', 'barcode', 'generic_name', 'dosage_form', 'spec', 'package_unit', 'manufacturer', 'drug_class', 'category',
  'drug_group', 'vbp', 'vbp_price', 'payment_standard', 'retail_price', 'restriction', 'negotiated', 'essential', 'consistency',
  'demo', 'note', 'lists',
] as const;

export function demoCatalogCsv(): string {
  const rows = demoDrugs().map((x) =>
    [
      x.code, x.ownCode, x.barcode, x.name, x.form, x.spec, x.unit, '演示药业有限公司（虚构）', x.drugClass, x.category,
      x.group, x.vbp ? '1' : '0', x.vbpPrice, x.paymentStandard, x.retailPrice, x.restriction, x.negotiated ? '1' : '0',
      x.drugClass === '甲' ? '1' : '0', x.vbp ? '1' : '0', '1', DEMO_NOTE, x.lists.join(';'),
    ]
      .map(csvCell)
      .join(','),
  );
  return [CATALOG_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** Demo institutions per policy (the codes the demo roster's designated/capitation fields name). */
export const DEMO_INSTITUTIONS = {
  lincang: { code: 'H53090200001', name: '临翔区凤翔街道社区卫生服务中心（演示）', type: 'clinic', level: 1, policy: 'lincang', region: '530902' },
  chongqing: { code: 'H50010100001', name: '万州区高笋塘社区卫生服务中心（演示）', type: 'clinic', level: 1, policy: 'chongqing', region: '500101' },
  kunming: { code: 'H53010200001', name: '五华区华山街道社区卫生服务中心（演示）', type: 'clinic', level: 1, policy: 'kunming', region: '530102', annualCap: '720.00' },
  ezhou: { code: 'P42070200001', name: '鄂州市百姓大药房梁子湖店（演示）', type: 'pharmacy', level: 1, policy: 'ezhou', region: '420702' },
  dazhou: { code: 'H51170200001', name: '通川区西城街道卫生院（演示）', type: 'clinic', level: 1, policy: 'dazhou', region: '511702', annualCap: '300.00' },
} as const;

export type DemoRegion = keyof typeof DEMO_INSTITUTIONS;

interface DemoPatient {
  region: string;
  birth: string;
  seq: number;
  name: string;
  insutype: '390' | '310';
  conditions: string;
  management_class?: 1 | 2;
  other_chronic_diseases?: number;
  chronic_disease_since?: string;
  designated_institution?: string;
  capitation?: { institution: string; month: string };
  flagged_date: string;
  flagged_by: 'bureau' | 'health-commission' | 'counter';
  stopped?: { date: string; reason: string };
  ec_token?: string;
  pool?: { amount: string; asOf: string };
  card?: boolean;
}

/** Who the demo roster holds and why (each line covers a flag combination). */
export const DEMO_PATIENTS: DemoPatient[] = [
  // Lincang (临翔区 530902, 凤庆县 530921): residents only, caps 360/660/720.
  { region: '530902', birth: '1956-03-12', seq: 101, name: '张桂英', insutype: '390', conditions: '高血压', flagged_date: '2024-08-20', flagged_by: 'bureau', card: true },
  { region: '530902', birth: '1949-11-02', seq: 103, name: '李国华', insutype: '390', conditions: '高血压,糖尿病', flagged_date: '2024-08-20', flagged_by: 'health-commission', pool: { amount: '650.00', asOf: '2025-06-30' }, ec_token: 'ECDEMO0a1b2c3d4e5f60718293' },
  { region: '530902', birth: '1961-07-30', seq: 105, name: '王秀兰', insutype: '390', conditions: '糖尿病', flagged_date: '2024-09-01', flagged_by: 'counter', capitation: { institution: 'H53090200001', month: '2025-01' } },
  { region: '530902', birth: '1958-01-15', seq: 107, name: '赵建军', insutype: '310', conditions: '高血压', flagged_date: '2024-08-20', flagged_by: 'bureau' },
  { region: '530921', birth: '1952-05-05', seq: 109, name: '刘德明', insutype: '390', conditions: 'both', flagged_date: '2024-08-25', flagged_by: 'bureau', chronic_disease_since: '2025-03-01' },
  { region: '530921', birth: '1963-12-24', seq: 111, name: '陈玉珍', insutype: '390', conditions: '糖尿病', flagged_date: '2024-08-25', flagged_by: 'bureau', stopped: { date: '2025-05-31', reason: '迁出本市' } },
  // Chongqing (万州区 500101): management class 1/2, extra chronic diseases raise the cap.
  { region: '500101', birth: '1952-07-08', seq: 121, name: '杨志强', insutype: '390', conditions: '高血压', management_class: 1, flagged_date: '2024-01-10', flagged_by: 'bureau', card: true },
  { region: '500101', birth: '1950-02-14', seq: 123, name: '黄淑芬', insutype: '390', conditions: '高血压,糖尿病', management_class: 2, other_chronic_diseases: 1, flagged_date: '2024-01-10', flagged_by: 'health-commission' },
  { region: '500101', birth: '1959-09-09', seq: 125, name: '周海燕', insutype: '390', conditions: 'M01600', management_class: 2, flagged_date: '2024-03-15', flagged_by: 'bureau', pool: { amount: '120.50', asOf: '2025-05-31' } },
  { region: '500101', birth: '1957-04-18', seq: 127, name: '吴振华', insutype: '390', conditions: 'M03900', flagged_date: '2024-03-15', flagged_by: 'bureau' },
  { region: '500101', birth: '1962-10-01', seq: 129, name: '徐春梅', insutype: '310', conditions: '糖尿病', management_class: 2, flagged_date: '2024-03-15', flagged_by: 'bureau' },
  { region: '500101', birth: '1948-06-06', seq: 131, name: '孙宝山', insutype: '390', conditions: 'both', management_class: 2, flagged_date: '2024-01-10', flagged_by: 'bureau', stopped: { date: '2025-02-28', reason: '转入门诊慢特病' } },
  // Kunming (五华区 530102): designated institution only (seed 002), cap supplied by the site.
  { region: '530102', birth: '1950-05-05', seq: 141, name: '马丽华', insutype: '390', conditions: '高血压', designated_institution: 'H53010200001', flagged_date: '2024-06-01', flagged_by: 'bureau', card: true },
  { region: '530102', birth: '1955-12-12', seq: 143, name: '朱永福', insutype: '390', conditions: '糖尿病', designated_institution: 'H53010200099', flagged_date: '2024-06-01', flagged_by: 'bureau' },
  { region: '530102', birth: '1960-08-08', seq: 145, name: '胡小英', insutype: '390', conditions: 'both', flagged_date: '2024-06-01', flagged_by: 'health-commission' },
  { region: '530102', birth: '1953-03-03', seq: 147, name: '郭卫东', insutype: '390', conditions: '高血压', designated_institution: 'H53010200001', capitation: { institution: 'H53010200001', month: '2025-03' }, flagged_date: '2024-06-01', flagged_by: 'bureau', ec_token: 'ECDEMO9f8e7d6c5b4a3928170f' },
  { region: '530102', birth: '1966-01-20', seq: 149, name: '何秀芳', insutype: '310', conditions: '糖尿病', designated_institution: 'H53010200001', flagged_date: '2024-06-01', flagged_by: 'bureau' },
  { region: '530102', birth: '1951-09-19', seq: 151, name: '林国庆', insutype: '390', conditions: '高血压', designated_institution: 'H53010200001', flagged_date: '2026-12-01', flagged_by: 'counter' },
  // Ezhou (梁子湖区 420702): residents and employees, pharmacies included (seed 003).
  { region: '420702', birth: '1949-09-09', seq: 161, name: '罗红梅', insutype: '390', conditions: '高血压', flagged_date: '2024-05-20', flagged_by: 'bureau', card: true },
  { region: '420702', birth: '1957-03-03', seq: 163, name: '高建平', insutype: '390', conditions: 'both', flagged_date: '2024-05-20', flagged_by: 'bureau', chronic_disease_since: '2025-01-01' },
  { region: '420702', birth: '1961-11-11', seq: 165, name: '郑文斌', insutype: '310', conditions: '高血压,糖尿病', flagged_date: '2024-05-20', flagged_by: 'bureau', pool: { amount: '1800.00', asOf: '2025-09-30' } },
  { region: '420702', birth: '1964-04-04', seq: 167, name: '谢丽娟', insutype: '310', conditions: '糖尿病', flagged_date: '2024-07-01', flagged_by: 'health-commission' },
  { region: '420702', birth: '1954-02-02', seq: 169, name: '宋福贵', insutype: '390', conditions: '糖尿病', flagged_date: '2024-07-01', flagged_by: 'bureau', stopped: { date: '2025-08-15', reason: '死亡注销' } },
  { region: '420702', birth: '1958-08-18', seq: 171, name: '唐美玲', insutype: '390', conditions: '高血压', flagged_date: '2024-07-01', flagged_by: 'counter', ec_token: 'ECDEMO00112233445566778899aa' },
  // Dazhou (通川区 511702): residents and employees; rates and cap come from a site file (seed 004 publishes none).
  { region: '511702', birth: '1953-06-06', seq: 181, name: '冯志明', insutype: '390', conditions: '高血压', flagged_date: '2024-04-01', flagged_by: 'bureau', card: true },
  { region: '511702', birth: '1954-04-04', seq: 183, name: '韩淑珍', insutype: '310', conditions: 'both', flagged_date: '2024-04-01', flagged_by: 'bureau' },
  { region: '511702', birth: '1960-10-10', seq: 185, name: '曹永刚', insutype: '390', conditions: '糖尿病', flagged_date: '2024-04-01', flagged_by: 'health-commission', capitation: { institution: 'H51170200001', month: '2024-07' } },
  { region: '511702', birth: '1947-12-31', seq: 187, name: '邓翠花', insutype: '390', conditions: 'both', other_chronic_diseases: 2, flagged_date: '2024-04-01', flagged_by: 'bureau', pool: { amount: '299.99', asOf: '2025-10-31' } },
  { region: '511702', birth: '1965-05-15', seq: 189, name: '彭建国', insutype: '390', conditions: '高血压', flagged_date: '2024-04-01', flagged_by: 'bureau', stopped: { date: '2025-06-30', reason: '参保状态终止' } },
];

const ROSTER_COLUMNS = [
  'psn_no', 'certno', 'card_no', 'name', 'insutype', 'region', 'conditions', 'management_class', 'other_chronic_diseases',
  'chronic_disease_since', 'designated_institution', 'payment_mode', 'capitation_institution', 'capitation_start_month',
  'flagged_date', 'flagged_by', 'status', 'stopped_date', 'stopped_reason', 'ec_token', 'pool_used', 'pool_used_as_of',
] as const;

export function demoPatientCertno(p: DemoPatient): string {
  return syntheticCertno(p.region, p.birth.replace(/-/g, ''), p.seq);
}

export function demoRosterCsv(): string {
  const rows = DEMO_PATIENTS.map((p) =>
    [
      `${p.region}DM${String(p.seq).padStart(4, '0')}`,
      demoPatientCertno(p),
      p.card ? `D${p.region.slice(0, 2)}${String(p.seq).padStart(6, '0')}` : null,
      p.name,
      p.insutype,
      p.region,
      p.conditions,
      p.management_class ?? null,
      p.other_chronic_diseases ?? null,
      p.chronic_disease_since ?? null,
      p.designated_institution ?? null,
      p.capitation ? 'capitation' : 'fee-for-service',
      p.capitation?.institution ?? null,
      p.capitation?.month ?? null,
      p.flagged_date,
      p.flagged_by,
      p.stopped ? 'stopped' : 'active',
      p.stopped?.date ?? null,
      p.stopped?.reason ?? null,
      p.ec_token ?? null,
      p.pool?.amount ?? null,
      p.pool?.asOf ?? null,
    ]
      .map(csvCell)
      .join(','),
  );
  return [ROSTER_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** Regenerates resources/demo/*.csv (run after editing the lists above). */
export function writeDemoFiles(dir = DEMO_DIR): void {
  writeFileSync(join(dir, DEMO_CATALOG_FILE), demoCatalogCsv());
  writeFileSync(join(dir, DEMO_ROSTER_FILE), demoRosterCsv());
}

export interface DemoSeedReport {
  catalog: ImportReport;
  roster: ImportReport;
  /** The institution was configured by the seed (it never overwrites a site's settings). */
  institutionSet: boolean;
}

/**
 * Loads the demo catalog and roster through the importer (idempotent: a second call changes
 * nothing) and, when the site has no institution yet, the demo institution of `region`.
 */
export function seedDemoData(db: DB, options: { region?: string } = {}): DemoSeedReport {
  const read = (name: string, build: () => string) => {
    const file = join(DEMO_DIR, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : build();
  };
  const catalog = importCatalogText(db, read(DEMO_CATALOG_FILE, demoCatalogCsv));
  const roster = importRosterText(db, read(DEMO_ROSTER_FILE, demoRosterCsv));
  let institutionSet = false;
  if (getInstitution(db) === null) {
    const region = (options.region ?? 'lincang') as DemoRegion;
    const inst = DEMO_INSTITUTIONS[region] ?? DEMO_INSTITUTIONS.lincang;
    setInstitution(db, { ...inst });
    institutionSet = true;
  }
  return { catalog, roster, institutionSet };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeDemoFiles();
