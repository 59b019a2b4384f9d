// Online identification through the platform session: 1101 人员信息获取 with the certificate as
// read (a 医保码 token goes as is), then 5301 慢特病备案查询 for the person. Queries change nothing
// on the platform, so an unanswered one is simply not used: the roster decides.
import type { Institution } from '../contract/institution.ts';
import type { PlatformConfig } from '../platform/config.ts';
import { buildEnvelope, outputSchemaFor, type EnvelopeContext } from '../platform/envelope.ts';
import type { PlatformClient } from '../platform/client.ts';
import { identityFrom, input1101, type OnlineCertificate, type PlatformIdentity } from '../platform/identification.ts';
import type { DB } from '../store/db.ts';
import { getTerminal, nextMsgid } from '../store/outbox.ts';
import type { PlatformSession } from './session.ts';
import { dispensedFrom5205 } from '../platform/medication.ts';
import { infTime } from '../platform/time.ts';
import { getCatalogItem } from '../store/catalog.ts';

export interface IdentifyDeps {
  db: DB;
  client: PlatformClient;
  session: PlatformSession;
  config: PlatformConfig;
  now: () => Date;
}

export class IdentifyError extends Error {
  constructor(
    message: string,
    /** The platform answered and refused (it holds no such person), rather than not answering. */
    readonly refused = false,
  ) {
    super(message);
  }
}

/** The counter's own envelope for queries made before a sale exists: the terminal is the operator (opter "经办人/终端编号"). */
export function queryContext(d: IdentifyDeps, inst: Institution): EnvelopeContext {
  const region = d.config.region(inst.policy);
  const devNo = getTerminal(d.db)?.devNo ?? '';
  return {
    region,
    mdtrtareaAdmvs: region.mdtrtareaAdmvs,
    insuplcAdmdvs: inst.region,
    institution: { code: inst.code, name: inst.name },
    operator: { id: (devNo || 'counter').slice(0, 30), name: '柜台终端' },
    devNo,
  };
}

export async function identifyOnline(d: IdentifyDeps, inst: Institution, cert: OnlineCertificate, preferredInsutype?: string | null): Promise<PlatformIdentity | null> {
  const base = queryContext(d, inst);
  const ctx: EnvelopeContext = { ...base, signNo: await d.session.signNo(base) };
  const path = ctx.region.transport.path;
  const r1 = await d.client.send(buildEnvelope('1101', nextMsgid(d.db, inst.code, d.now()), input1101(cert), ctx, d.now()), outputSchemaFor('1101'), path);
  if (r1.kind !== 'reply') throw new IdentifyError(`1101: ${r1.error}`);
  if (r1.reply.infcode !== 0) throw new IdentifyError(`1101 refused: ${r1.reply.err_msg}`, true);
  const o1101 = r1.reply.output;
  const chosen = o1101.insuinfo.find((i) => i.insutype === preferredInsutype) ?? o1101.insuinfo[0];
  const ctx5301: EnvelopeContext = { ...ctx, insuplcAdmdvs: chosen?.insuplc_admdvs ?? ctx.insuplcAdmdvs };
  const r2 = await d.client.send(buildEnvelope('5301', nextMsgid(d.db, inst.code, d.now()), { data: { psn_no: o1101.baseinfo.psn_no } }, ctx5301, d.now()), outputSchemaFor('5301'), path);
  const o5301 = r2.kind === 'reply' && r2.reply.infcode === 0 ? r2.reply.output : null;
  const identity = identityFrom(o1101, o5301, preferredInsutype);
  if (!identity) return null;
  // 5205: what other institutions dispensed in the refill rule's window (a query; unanswered = not counted).
  const begn = new Date(d.now().getTime() - DISPENSING_WINDOW_DAYS * 86_400_000);
  const r3 = await d.client.send(
    buildEnvelope('5205', nextMsgid(d.db, inst.code, d.now()), { data: { psn_no: identity.psnNo, begntime: infTime(begn), endtime: infTime(d.now()) } }, ctx5301, d.now()),
    outputSchemaFor('5205'),
    path,
  );
  if (r3.kind === 'reply' && r3.reply.infcode === 0) {
    identity.dispensing = dispensedFrom5205(r3.reply.output, inst.code, (code) => {
      const item = getCatalogItem(d.db, code);
      return item ? { genericName: item.generic_name, drugGroup: item.drug_group } : null;
    });
  }
  return identity;
}

/** As far back as the refill rule looks (core/supervision: the longest supply is a few months). */
const DISPENSING_WINDOW_DAYS = 400;
