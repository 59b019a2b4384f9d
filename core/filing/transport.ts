// Sending filing messages through the platform adapter: the national envelope with a msgid from
// the persistent sequence, posted by the platform client; its outcome mapped to the upload
// queue's (reply 0 → ok, reply -1 → refused, never connected → unreachable, anything else →
// unknown, because the platform may have recorded the filing).
import type { DB } from '../store/db.ts';
import { buildEnvelope } from '../platform/envelope.ts';
import type { PlatformClient } from '../platform/client.ts';
import type { RegionConfig } from '../platform/config.ts';
import { nextMsgid } from '../store/outbox.ts';
import type { FilingTransport } from './index.ts';

export interface FilingTransportOptions {
  client: PlatformClient;
  region: RegionConfig;
  institution: { code: string; name: string };
  operator: { id: string; name: string };
  /** 参保地: the patient's insured region; the institution's own area when unknown (local patients). */
  insuplcAdmdvs?: string;
  now?: () => Date;
}

export function platformFilingTransport(db: DB, o: FilingTransportOptions): FilingTransport {
  const now = o.now ?? (() => new Date());
  return async (infno, input) => {
    const at = now();
    const msgid = nextMsgid(db, o.institution.code, at);
    const envelope = buildEnvelope(
      infno,
      msgid,
      input,
      { region: o.region, mdtrtareaAdmvs: o.region.mdtrtareaAdmvs, insuplcAdmdvs: o.insuplcAdmdvs ?? o.region.mdtrtareaAdmvs, institution: o.institution, operator: o.operator },
      at,
    );
    const r = await o.client.send(envelope);
    if (r.kind === 'not-delivered') return { kind: 'unreachable', message: r.error };
    if (r.kind === 'ambiguous') return { kind: 'unknown', msgid, message: r.error };
    if (r.reply.infcode === 0) {
      const output = r.reply.output && typeof r.reply.output === 'object' ? (r.reply.output as Record<string, unknown>) : {};
      return { kind: 'ok', msgid, output };
    }
    return { kind: 'refused', msgid, message: r.reply.err_msg ?? 'refused by the platform' };
  };
}
