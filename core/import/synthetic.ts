// Synthetic but well-formed bureau files for tests and benchmarks: valid GB 11643 ID numbers
// (check digit computed), national drug codes of the right shape, EAN-13 barcodes.
import { checkChar } from '../identity/idnumber.ts';
import { csvCell } from './csv.ts';

/** An 18-character ID number with a correct check character. */
export function syntheticCertno(region: string, birth: string, seq: number): string {
  const first17 = `${region}${birth.replace(/-/g, '')}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + checkChar(first17);
}

/** EAN-13 with its check digit. */
export function ean13(first12: string): string {
  let total = 0;
  for (let i = 0; i < 12; i++) total += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return first12 + String((10 - (total % 10)) % 10);
}

/** A 23-character national drug code of the right shape: X + 22 letters/digits (opaque). */
export function syntheticDrugCode(prefix: 'X' | 'Z', n: number): string {
  return `${prefix}DEMO${String(n).padStart(18, '0')}`;
}

export const ROSTER_HEADER = 'psn_no,certno,card_no,name,insutype,region,conditions,management_class,flagged_date,flagged_by,status,pool_used,pool_used_as_of';
/** The header for rosterCsvRows with `historyEvery` (stopped records carry their stop date). */
export const ROSTER_HISTORY_HEADER = `${ROSTER_HEADER},stopped_date`;

const SURNAMES = '张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';
const CONDITIONS = ['hypertension', 'diabetes', 'both'];

const BIRTH_DAYS = 20_000; // 1940-01-01 … 1994-10-04
const DAY_MS = 86_400_000;
const EPOCH_1940 = Date.UTC(1940, 0, 1);

/** The ID number rosterCsvRows gives patient i: unique for i below 20,000,000 (birth day × sequence). */
export function rosterCertno(i: number, region = '530902'): string {
  const birth = new Date(EPOCH_1940 + (i % BIRTH_DAYS) * DAY_MS).toISOString().slice(0, 10);
  return syntheticCertno(region, birth, Math.floor(i / BIRTH_DAYS));
}

/**
 * Roster CSV lines (without header) for patients [from, to). Deterministic. With `historyEvery`
 * N, every Nth patient also has an older stopped record under another 人员编号 with the same ID
 * number (a bureau re-numbering), as real rosters carry a few per cent of.
 */
export function rosterCsvRows(from: number, to: number, region = '530902', options: { historyEvery?: number } = {}): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const certno = rosterCertno(i, region);
    if (options.historyEvery && i % options.historyEvery === 0) {
      out.push([`54${String(i).padStart(14, '0')}`, certno, `J${String(i).padStart(8, '0')}`, '历史', '390', region, 'both', '2', '2020-03-01', 'bureau', 'stopped', '', '', '2023-12-31'].map(csvCell).join(','));
    }
    const name = SURNAMES[i % SURNAMES.length]! + GIVEN[(i * 7) % GIVEN.length]! + (i % 3 === 0 ? GIVEN[(i * 13) % GIVEN.length]! : '');
    const used = i % 4 === 0 ? `${(i % 300) + 0.5}` : '';
    out.push(
      [
        `53${String(i).padStart(14, '0')}`,
        certno,
        `K${String(i).padStart(8, '0')}`,
        name,
        i % 10 === 0 ? '310' : '390',
        region,
        CONDITIONS[i % 3],
        // A diabetic is class 2 (seed 001 §一); a hypertensive either.
        CONDITIONS[i % 3] === 'hypertension' ? String(1 + (i % 2)) : '2',
        '2024-03-01',
        'bureau',
        'active',
        used,
        used ? '2024-06-30' : '',
        ...(options.historyEvery ? [''] : []),
      ].map(csvCell).join(','),
    );
  }
  return out.join('\n');
}

const DRUG_NAMES = ['氨氯地平', '硝苯地平', '二甲双胍', '格列美脲', '阿卡波糖', '缬沙坦', '厄贝沙坦', '美托洛尔', '吲达帕胺', '西格列汀', '达格列净', '瑞格列奈', '依那普利', '贝那普利', '替米沙坦', '阿司匹林', '阿托伐他汀', '胰岛素', '卡托普利', '比索洛尔'];
const FORMS = ['片', '缓释片', '胶囊', '分散片', '注射液'];

export const CATALOG_HEADER = 'code,own_code,barcode,generic_name,trade_name,dosage_form,spec,drug_class,category,vbp,vbp_price,payment_standard,retail_price,lists';

/** Catalog CSV lines (without header) for items [from, to). */
export function catalogCsvRows(from: number, to: number, lists = '530900'): string {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const base = DRUG_NAMES[i % DRUG_NAMES.length]!;
    const form = FORMS[(i >> 3) % FORMS.length]!;
    const vbp = i % 3 === 0;
    out.push(
      [
        syntheticDrugCode(i % 7 === 0 ? 'Z' : 'X', i),
        `OWN${i}`,
        ean13(`69${String(i).padStart(10, '0')}`),
        `${base}${form}`,
        `商品${i % 1000}`,
        form,
        `${(i % 10) + 1}0mg*${7 * ((i % 4) + 1)}`,
        i % 2 === 0 ? '甲' : '乙',
        i % 2 === 0 ? 'antihypertensive' : 'antidiabetic',
        vbp ? '1' : '0',
        vbp ? `${(i % 50) + 1}.50` : '',
        `${(i % 80) + 2}.00`,
        `${(i % 90) + 3}.20`,
        i % 5 === 0 ? '' : lists,
      ].map(csvCell).join(','),
    );
  }
  return out.join('\n');
}
