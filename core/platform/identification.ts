// Online identification (1101 人员信息获取, 5301 慢特病备案查询) in our terms, and its comparison
// with the local roster. Pure: the messages are sent by core/outbox/identify.ts. The roster
// decides eligibility as before; a difference is shown to the operator and recorded, never
// silently applied.
import type { z } from 'zod';
import type { Output1101Schema, Output5301Schema } from './envelope.ts';
import type { RegionConfig } from './config.ts';
import type { DispensedEntry } from '../contract/dispensing.ts';

export interface OnlineCertificate {
  /** 01 电子凭证 (the 医保码 token, opaque, sent as read) / 02 身份证 / 03 社保卡 (with card_sn). */
  mdtrtCertType: '01' | '02' | '03';
  mdtrtCertNo: string;
  cardSn?: string | undefined;
}

export interface PlatformFiling {
  code: string;
  name: string;
  begndate: string;
  enddate: string | null;
}

export interface PlatformIdentity {
  psnNo: string;
  certno: string;
  insutype: string;
  /** 人员参保状态 of the chosen insuinfo entry ('1' 正常参保). */
  insuStas: string | null;
  insuplcAdmdvs: string;
  balc: string;
  /** The 5301 filings the platform holds (null: 5301 not answered). */
  filings: PlatformFiling[] | null;
  /** Other institutions' 慢特病 dispensing (5205), for the refill rule; absent when not answered. */
  dispensing?: DispensedEntry[];
}

/** 1101 input: data {mdtrt_cert_type, mdtrt_cert_no, card_sn (required for 03), psn_cert_type, certno}. */
export function input1101(c: OnlineCertificate, certno?: string): Record<string, unknown> {
  if (c.mdtrtCertType === '03' && !c.cardSn) throw new Error('card_sn is required with mdtrt_cert_type 03 (social-security card)');
  return {
    data: {
      mdtrt_cert_type: c.mdtrtCertType,
      mdtrt_cert_no: c.mdtrtCertNo,
      card_sn: c.cardSn ?? '',
      begntime: '',
      psn_cert_type: c.mdtrtCertType === '02' ? '01' : '',
      certno: c.mdtrtCertType === '02' ? c.mdtrtCertNo : (certno ?? ''),
      psn_name: '',
    },
  };
}

type Insuinfo = z.output<typeof Output1101Schema>['insuinfo'][number];

/** Insured normally (人员参保状态 1 参保缴费); other states are paused or ended. */
const ACTIVE_STAS = '1';

/**
 * The insuinfo entry to settle with: a two-disease patient is an employee (310) or a resident
 * (390); an active entry before a paused one, the roster's insutype first when both are active.
 */
export function chooseInsuinfo(list: readonly Insuinfo[], preferred?: string | null): Insuinfo | null {
  const eligible = list.filter((i) => i.insutype === '310' || i.insutype === '390');
  const rank = (i: Insuinfo) => (i.psn_insu_stas === ACTIVE_STAS ? 0 : 2) + (preferred && i.insutype === preferred ? 0 : 1);
  return [...eligible].sort((a, b) => rank(a) - rank(b))[0] ?? null;
}

export function identityFrom(o1101: z.output<typeof Output1101Schema>, o5301: z.output<typeof Output5301Schema> | null, preferred?: string | null): PlatformIdentity | null {
  const entry = chooseInsuinfo(o1101.insuinfo, preferred);
  if (!entry) return null;
  return {
    psnNo: o1101.baseinfo.psn_no,
    certno: o1101.baseinfo.certno,
    insutype: entry.insutype,
    insuStas: entry.psn_insu_stas ?? null,
    insuplcAdmdvs: entry.insuplc_admdvs,
    balc: entry.balc,
    filings: o5301 ? o5301.feedetail.map((f) => ({ code: f.opsp_dise_code, name: f.opsp_dise_name, begndate: f.begndate, enddate: f.enddate ?? null })) : null,
  };
}

export interface RosterFacts {
  psnNo: string;
  insurance: 'resident' | 'employee';
  conditions: readonly ('hypertension' | 'diabetes')[];
}

export interface IdentityDifference {
  field: 'psn_no' | 'insutype' | 'psn_insu_stas' | 'filing' | 'insuinfo';
  roster: string | null;
  platform: string | null;
  /** Plain Chinese for the operator. */
  messageZh: string;
}

const INSUTYPE_ZH: Record<string, string> = { '310': '职工医保', '390': '城乡居民医保' };
const CONDITION_ZH = { hypertension: '高血压', diabetes: '糖尿病' } as const;

/** Whether a filing covers a date (yyyy-MM-dd): begun, and not ended before it. */
function filedOn(f: PlatformFiling, date: string): boolean {
  return f.begndate.slice(0, 10) <= date && (!f.enddate || f.enddate.slice(0, 10) >= date);
}

/** What the platform says differently from the roster, in words for the operator. */
export function compareWithRoster(roster: RosterFacts, p: PlatformIdentity | null, region: RegionConfig, date: string): IdentityDifference[] {
  if (!p) return [{ field: 'insuinfo', roster: roster.insurance, platform: null, messageZh: '平台未返回职工医保或城乡居民医保的参保信息，请核实参保情况' }];
  const out: IdentityDifference[] = [];
  if (p.psnNo !== roster.psnNo) out.push({ field: 'psn_no', roster: roster.psnNo, platform: p.psnNo, messageZh: '平台的人员编号与本地名单不同，请核实是否为同一人' });
  const mine = roster.insurance === 'employee' ? '310' : '390';
  if (p.insutype !== mine) out.push({ field: 'insutype', roster: mine, platform: p.insutype, messageZh: `平台显示参保险种为${INSUTYPE_ZH[p.insutype] ?? '其他险种'}，本地名单为${INSUTYPE_ZH[mine]}` });
  if (p.insuStas !== null && p.insuStas !== ACTIVE_STAS) out.push({ field: 'psn_insu_stas', roster: ACTIVE_STAS, platform: p.insuStas, messageZh: '平台显示此人参保状态不是正常参保（可能已暂停或终止）' });
  if (p.filings) {
    for (const c of ['hypertension', 'diabetes'] as const) {
      const code = region.diseaseCodes[c].code;
      const filed = p.filings.some((f) => f.code === code && filedOn(f, date));
      const listed = roster.conditions.includes(c);
      if (listed && !filed) out.push({ field: 'filing', roster: code, platform: null, messageZh: `本地名单登记了${CONDITION_ZH[c]}，平台未查到有效的${CONDITION_ZH[c]}门诊慢特病备案` });
      if (!listed && filed) out.push({ field: 'filing', roster: null, platform: code, messageZh: `平台有${CONDITION_ZH[c]}门诊慢特病备案，本地名单未登记` });
    }
  }
  return out;
}
