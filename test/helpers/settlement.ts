// Builders for settlement tests: a temp data directory, a sale the policy engine has quoted,
// a simulator on loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuoteRequestSchema, type QuoteRequestInput } from '../../core/contract/quote.ts';
import { loadPolicyBook, quote } from '../../core/policy/index.ts';
import { openDatabase, type DB } from '../../core/store/db.ts';
import type { SettleInput } from '../../core/settlement/contract.ts';
import { settle } from '../../core/settlement/settle.ts';

export const book = loadPolicyBook(undefined);

export function tempDir(prefix = 'lbc-settle-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function openTemp(): { db: DB; dir: string } {
  const dir = tempDir();
  return { db: openDatabase(dir), dir };
}

export interface SaleOptions {
  type?: 'clinic' | 'pharmacy';
  psnNo?: string;
  date?: string;
  lines?: { id: string; price: string; quantity: string; vbp?: boolean; listed?: boolean; paymentStandard?: string | null }[];
  requestId?: string;
  usedThisYear?: string;
  institutionCode?: string;
  policy?: string;
  insurance?: 'resident' | 'employee';
  /** The institution's 医保区划 (mdtrtarea_admvs); Lincang's by default. */
  institutionRegion?: string;
  /** Facts a region's scheme asks for (Chongqing's management class, Kunming's designated clinic). */
  managementClass?: 1 | 2;
  designatedInstitution?: string;
  /** The year's cap where the policy leaves it to the site (Kunming seed 002 §四.(三)). */
  annualCap?: string;
  /** Another policy book (a site directory's rates, e.g. Dazhou's). */
  book?: typeof book;
}

export function saleInput(o: SaleOptions = {}): SettleInput {
  const type = o.type ?? 'pharmacy';
  const lines = o.lines ?? [
    { id: 'a', price: '0.15', quantity: '28', vbp: true, paymentStandard: '0.15' },
    { id: 'b', price: '35.50', quantity: '2', paymentStandard: '30.00' },
  ];
  const code = o.institutionCode ?? (type === 'pharmacy' ? 'P53090100001' : 'H53090100001');
  const raw: QuoteRequestInput = {
    policy: o.policy ?? 'lincang',
    date: o.date ?? '2024-08-01',
    institution: { type, level: 1, code },
    patient: {
      insurance: o.insurance ?? 'resident',
      conditions: ['hypertension'],
      otherChronicDiseases: 0,
      chronicDiseaseSince: null,
      designatedInstitution: o.designatedInstitution ?? null,
      ...(o.managementClass ? { managementClass: o.managementClass } : {}),
    },
    usedThisYear: o.usedThisYear ?? '0.00',
    ...(o.annualCap ? { annualCap: o.annualCap } : {}),
    lines: lines.map((l) => ({ id: l.id, kind: 'drug', listed: l.listed ?? true, vbp: l.vbp ?? false, price: l.price, paymentStandard: l.paymentStandard ?? null, quantity: l.quantity })),
  };
  const request = QuoteRequestSchema.parse(raw);
  const result = quote(o.book ?? book, request);
  const psnNo = o.psnNo ?? '53090000000000000001';
  return {
    requestId: o.requestId ?? null,
    request,
    result,
    patient: { psnNo, certType: '02', certNo: '530902199001011234', certno: '530902199001011234', name: '张三', insutype: o.insurance === 'employee' ? '310' : '390', insuplcAdmdvs: o.institutionRegion ?? '530902' },
    institution: { code, name: type === 'pharmacy' ? '临翔区测试大药房' : '临翔区测试村卫生室', type, level: 1, region: o.institutionRegion ?? '530900' },
    operator: { id: 'op01', name: '李药师' },
    lines: lines.map((l, i) => ({ lineId: l.id, code: `XC08CAA046A0010101004${String(83 + i).padStart(2, '0')}`, ownCode: `OWN${i + 1}`, name: i === 0 ? '苯磺酸氨氯地平片' : '缬沙坦胶囊', spec: '5mg*28' })),
  };
}

export function settleSale(db: DB, o: SaleOptions = {}, now?: Date) {
  return settle(db, saleInput(o), { now });
}
