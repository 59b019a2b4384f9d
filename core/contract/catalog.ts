// A catalog row: one drug under its national medical-insurance code (医保药品代码), with the
// institution's own code, barcode, prices and two-disease list membership. Like the roster,
// the field table is the single definition; CatalogRowSchema wraps it for zod callers.
import type { Problem } from './problems.ts';
import {
  enumParser,
  fail,
  parseCells,
  parseCode,
  parseFlag,
  parsePrice,
  parseText,
  rowSchema,
  type FieldSpec,
  type RawCells,
} from './rows.ts';

export type DrugCategory = 'antihypertensive' | 'antidiabetic' | 'other';

export interface CatalogRecord {
  /** 医保药品代码: 20 or 23 characters, X (Western) or Z (Chinese patent medicine); opaque otherwise. */
  code: string;
  own_code: string | null;
  barcode: string | null;
  generic_name: string;
  trade_name: string | null;
  dosage_form: string | null;
  spec: string | null;
  package_size: string | null;
  package_unit: string | null;
  min_unit: string | null;
  /** 常用日剂量: smallest units a day at the usual dose (1 tablet, 0.5 tablet); the supply check uses it when no days are given. */
  usual_daily_dose: string | null;
  /** 可拆零: the item may be sold in part packages (0.5 box); otherwise whole packages only. */
  split_pack: boolean;
  manufacturer: string | null;
  approval_no: string | null;
  /** 甲/乙 class of the national list. */
  drug_class: '甲' | '乙' | null;
  category: DrugCategory;
  /** Pharmacological group as the two-disease list names it (双胍类, ACEI 类…). */
  drug_group: string | null;
  vbp: boolean;
  vbp_price: string | null;
  payment_standard: string | null;
  retail_price: string | null;
  restriction: string | null;
  /** 谈判药品. */
  negotiated: boolean;
  /** 国家基本药物. */
  essential: boolean;
  /** 通过一致性评价. */
  consistency: boolean;
  /** Demo data (prices invented): never used for real settlement. */
  demo: boolean;
  note: string | null;
  /** 6-digit region or county codes whose two-disease list carries the item; null = column absent (lists untouched). */
  lists: string[] | null;
}

export type CatalogField = keyof CatalogRecord;

/**
 * The condition a two-disease drug treats (降压 → hypertension, 降糖 → diabetes): the catalog's
 * category (the 附件2 groups of seed 000), else the ATC group inside a Western national code
 * (X + ATC: C02–C09 antihypertensives, A10 drugs used in diabetes). Null for anything else.
 */
export function treatsOf(item: Pick<CatalogRecord, 'category' | 'code'>): 'hypertension' | 'diabetes' | null {
  if (item.category === 'antihypertensive') return 'hypertension';
  if (item.category === 'antidiabetic') return 'diabetes';
  if (item.code.length < 4 || item.code[0] !== 'X') return null;
  const atc = item.code.slice(1, 4);
  if (atc === 'A10') return 'diabetes';
  if (/^C0[2-9]$/.test(atc)) return 'hypertension';
  return null;
}

const NATIONAL_CODE = /^[XZ][A-Z0-9]{19}(?:[A-Z0-9]{3})?$/;

/** The shape of a national drug code: 20 or 23 letters/digits starting X or Z. */
export function isNationalDrugCode(text: string): boolean {
  return NATIONAL_CODE.test(text);
}

function parseNationalCode(text: string): string {
  const t = text.toUpperCase();
  if (!NATIONAL_CODE.test(t)) {
    const why = !/^[XZ]/.test(t) ? 'it must start with X (Western drug) or Z (Chinese patent medicine)' : t.length !== 20 && t.length !== 23 ? `it has ${t.length} characters, not 20 or 23` : 'only letters and digits are allowed';
    const whyZh = !/^[XZ]/.test(t) ? '应以 X（西药）或 Z（中成药）开头' : t.length !== 20 && t.length !== 23 ? `长度为 ${t.length} 位，应为 20 或 23 位` : '只能包含字母和数字';
    return fail('INVALID_DRUG_CODE', `code ${JSON.stringify(text)} is not a national drug code: ${why}`, `医保药品代码 ${JSON.stringify(text)} 格式不正确：${whyZh}`);
  }
  return t;
}

function parseBarcode(text: string): string {
  if (!/^\d{8,20}$/.test(text)) return fail('INVALID_BARCODE', `barcode must be 8–20 digits (EAN-8/EAN-13/traceability code), got ${JSON.stringify(text)}`, `条形码必须是8至20位数字，收到 ${JSON.stringify(text)}`);
  return text;
}

/** Smallest units a day: a positive number with up to 4 decimals (0.5 tablet, 2 tablets). */
function parseDailyDose(text: string): string {
  const t = text.trim();
  if (!/^\d{1,4}(\.\d{1,4})?$/.test(t) || Number(t) <= 0) {
    return fail('INVALID_DAILY_DOSE', `usual_daily_dose must be the smallest units a day, a number above 0 such as 1 or 0.5, got ${JSON.stringify(text)}`, `常用日剂量必须是大于0的每日最小单位数（如 1 或 0.5），收到 ${JSON.stringify(text)}`);
  }
  return t.replace(/^0+(?=\d)/, '');
}

function parseLists(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[,;，；、|\s]+/)) {
    if (part === '') continue;
    if (!/^\d{6}$/.test(part)) return fail('INVALID_REGION', `lists must be 6-digit region or county codes, got ${JSON.stringify(part)}`, `目录区划必须是6位行政区划代码，收到 ${JSON.stringify(part)}`);
    if (!out.includes(part)) out.push(part);
  }
  return out.sort();
}

const f = <K extends CatalogField>(spec: FieldSpec<K>): FieldSpec<K> => spec;
const flag = (name: CatalogField, zh: string[]) => f({ name, zh, empty: false, parse: (t: string) => parseFlag(t, name, zh[0]!) });

export const CATALOG_FIELDS = [
  f({ name: 'code', zh: ['医保药品代码', '国家医保代码', '医保代码', '医保目录编码'], aliases: ['med_list_codg', 'national_code'], required: true, parse: parseNationalCode }),
  f({ name: 'own_code', zh: ['机构药品编码', '院内编码', '本机构编码', '自编码'], aliases: ['medins_list_codg'], parse: parseCode(40, 'own_code', '机构药品编码') }),
  f({ name: 'barcode', zh: ['条形码', '条码', '商品条码'], parse: parseBarcode }),
  f({ name: 'generic_name', zh: ['通用名', '药品通用名', '通用名称'], required: true, parse: parseText(100, 'generic_name', '通用名') }),
  f({ name: 'trade_name', zh: ['商品名', '商品名称'], parse: parseText(100, 'trade_name', '商品名') }),
  f({ name: 'dosage_form', zh: ['剂型'], parse: parseText(50, 'dosage_form', '剂型') }),
  f({ name: 'spec', zh: ['规格'], parse: parseText(100, 'spec', '规格') }),
  f({ name: 'package_size', zh: ['包装数量', '包装规格'], parse: parseText(30, 'package_size', '包装数量') }),
  f({ name: 'package_unit', zh: ['包装单位'], parse: parseText(10, 'package_unit', '包装单位') }),
  f({ name: 'min_unit', zh: ['最小单位', '最小使用单位'], parse: parseText(10, 'min_unit', '最小单位') }),
  f({ name: 'usual_daily_dose', zh: ['常用日剂量', '日剂量', '每日用量'], aliases: ['daily_dose'], parse: parseDailyDose }),
  flag('split_pack', ['可拆零', '拆零', '是否拆零']),
  f({ name: 'manufacturer', zh: ['生产企业', '生产厂家'], parse: parseText(100, 'manufacturer', '生产企业') }),
  f({ name: 'approval_no', zh: ['批准文号'], parse: parseText(50, 'approval_no', '批准文号') }),
  f({
    name: 'drug_class',
    zh: ['甲乙类', '目录类别', '医保类别'],
    aliases: ['class'],
    parse: enumParser<'甲' | '乙'>({ 甲: '甲', 乙: '乙', 甲类: '甲', 乙类: '乙', a: '甲', b: '乙' }, 'drug_class', '甲乙类', '甲/乙 (A/B)'),
  }),
  f({
    name: 'category',
    zh: ['类别', '药品类别'],
    empty: 'other',
    parse: enumParser<DrugCategory>(
      { antihypertensive: 'antihypertensive', 降压: 'antihypertensive', 降压药: 'antihypertensive', 高血压: 'antihypertensive', antidiabetic: 'antidiabetic', 降糖: 'antidiabetic', 降糖药: 'antidiabetic', 糖尿病: 'antidiabetic', other: 'other', 其他: 'other' },
      'category',
      '类别',
      'antihypertensive/antidiabetic/other, 降压/降糖/其他',
    ),
  }),
  f({ name: 'drug_group', zh: ['药品分类', '分类'], aliases: ['group'], parse: parseText(50, 'drug_group', '药品分类') }),
  flag('vbp', ['集采', '集采中选', '是否集采']),
  f({ name: 'vbp_price', zh: ['中选价格', '集采中选价'], parse: (t) => parsePrice(t, 'vbp_price', '中选价格') }),
  f({ name: 'payment_standard', zh: ['医保支付标准', '支付标准'], parse: (t) => parsePrice(t, 'payment_standard', '医保支付标准') }),
  f({ name: 'retail_price', zh: ['零售价', '零售价格', '销售价格'], aliases: ['price'], parse: (t) => parsePrice(t, 'retail_price', '零售价') }),
  f({ name: 'restriction', zh: ['限制范围', '限定支付范围', '备注限制'], parse: parseText(500, 'restriction', '限制范围') }),
  flag('negotiated', ['谈判药品', '是否谈判药品']),
  flag('essential', ['基本药物', '国家基本药物']),
  flag('consistency', ['一致性评价', '通过一致性评价']),
  flag('demo', ['演示数据']),
  f({ name: 'note', zh: ['备注'], parse: parseText(500, 'note', '备注') }),
  f({ name: 'lists', zh: ['两病目录区划', '目录区划', '两病目录'], aliases: ['list_regions'], empty: [], parse: parseLists }),
] as const satisfies readonly FieldSpec<CatalogField>[];

const DEFAULTS: Omit<CatalogRecord, 'code' | 'generic_name'> = {
  own_code: null,
  barcode: null,
  trade_name: null,
  dosage_form: null,
  spec: null,
  package_size: null,
  package_unit: null,
  min_unit: null,
  usual_daily_dose: null,
  split_pack: false,
  manufacturer: null,
  approval_no: null,
  drug_class: null,
  category: 'other',
  drug_group: null,
  vbp: false,
  vbp_price: null,
  payment_standard: null,
  retail_price: null,
  restriction: null,
  negotiated: false,
  essential: false,
  consistency: false,
  demo: false,
  note: null,
  lists: null,
};

/** Completes parsed values (CATALOG_FIELDS order, undefined = column absent) over `existing` or the defaults. */
export function completeCatalog(v: readonly unknown[], existing: CatalogRecord | null, problems: Problem[]): CatalogRecord | null {
  const before = problems.length;
  const r = { ...(existing ?? DEFAULTS) } as Record<string, unknown>;
  for (let i = 0; i < CATALOG_FIELDS.length; i++) {
    const spec = CATALOG_FIELDS[i]!;
    const x = v[i];
    if ('required' in spec && spec.required && (x === null || (x === undefined && !existing))) {
      problems.push({ path: spec.name, code: 'REQUIRED', message: `${spec.name} is required`, messageZh: `必须填写${spec.zh[0]}` });
    }
    if (x !== undefined) r[spec.name] = x;
  }
  if (problems.length > before) return null;
  const rec = r as unknown as CatalogRecord;
  if (rec.vbp && rec.vbp_price === null) {
    // Seed 000 §二.(二).4: the winning price IS the payment standard of a VBP drug, so it must be known.
    problems.push({ path: 'vbp_price', code: 'VBP_WITHOUT_PRICE', message: 'a VBP item needs its winning price (vbp_price)', messageZh: '集采中选药品必须填写中选价格' });
  }
  return problems.length > before ? null : rec;
}

export function validateCatalogRow(cells: RawCells, problems: Problem[], existing: CatalogRecord | null = null): CatalogRecord | null {
  const before = problems.length;
  const values = parseCells(CATALOG_FIELDS, cells, problems);
  if (problems.length > before) return null;
  return completeCatalog(values, existing, problems);
}

/** zod schema of a catalog row (object with the English field names), same rules as the importer. */
export const CatalogRowSchema = rowSchema(CATALOG_FIELDS, (cells, problems) => validateCatalogRow(cells, problems));
