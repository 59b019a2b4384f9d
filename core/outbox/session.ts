// The platform session of each operator: 9001 签到 once per operator, institution and day (its
// sign_no goes on every later message, platform-fields.md: "通过签到【9001】交易获取"), 9002 签退 at
// sign-out and shift end. A sign_no the platform refuses is dropped and replaced by one new
// sign-in shared by every message refused with it, so a refusal never becomes a loop.
import { networkInterfaces } from 'node:os';
import { serviceDate } from '../clock/index.ts';
import type { PlatformConfig, RegionConfig } from '../platform/config.ts';
import { buildEnvelope, outputSchemaFor, type EnvelopeContext } from '../platform/envelope.ts';
import type { PlatformClient } from '../platform/client.ts';
import type { DB } from '../store/db.ts';
import { currentSignIn, getTerminal, invalidateSignIn, latestInstitutionFacts, markSignedOut, nextMsgid, openSignIns, operatorNameAt, recordSignIn } from '../store/outbox.ts';

/** A refusal that is about the session, not the sale: the sign_no expired or was never valid. */
export function isSignInRefusal(errMsg: string | null): boolean {
  return !!errMsg && /签到|sign_no|sign-in|sign in/i.test(errMsg);
}

export class SignInError extends Error {
  constructor(
    message: string,
    /** The 9001 never reached the platform (nothing else was sent either). */
    readonly notDelivered: boolean,
  ) {
    super(message);
  }
}

/** The counter's address for 9001 (signIn.ip, signIn.mac): the first external IPv4 interface. */
function localAddress(): { ip: string; mac: string } {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return { ip: i.address.slice(0, 20), mac: i.mac.slice(0, 20) };
  }
  return { ip: '127.0.0.1', mac: '00:00:00:00:00:00' };
}

export class PlatformSession {
  /** 9001 calls in flight, one per operator, institution and day (concurrent messages share it). */
  private readonly signing = new Map<string, Promise<string>>();

  constructor(
    private readonly db: DB,
    private readonly client: PlatformClient,
    private readonly config: PlatformConfig,
    private readonly now: () => Date = () => new Date(),
    private readonly log: (line: string) => void = () => {},
  ) {}

  /**
   * The operator's sign_no for today: the cached one, else a 9001 now. `refused` names a sign_no
   * the platform just turned down: it is dropped and one new sign-in is made.
   */
  async signNo(envCtx: EnvelopeContext, refused?: string): Promise<string> {
    const at = this.now();
    const date = serviceDate(at);
    const op = envCtx.operator;
    const code = envCtx.institution.code;
    if (refused) invalidateSignIn(this.db, refused, at.toISOString());
    const cached = currentSignIn(this.db, op.id, code, date);
    if (cached) return cached.sign_no;
    const key = `${op.id}\u0000${code}\u0000${date}`;
    const inFlight = this.signing.get(key);
    if (inFlight) return inFlight;
    const p = (async () => {
      const msgid = this.db.transaction(() => nextMsgid(this.db, code, at))();
      const addr = localAddress();
      const env = buildEnvelope('9001', msgid, { signIn: { opter_no: op.id, mac: addr.mac, ip: addr.ip } }, { ...envCtx, signNo: '' }, at);
      const r = await this.client.send(env, outputSchemaFor('9001'), envCtx.region.transport.path);
      if (r.kind !== 'reply') throw new SignInError(`9001 sign-in for ${op.id}: ${r.error}`, r.kind === 'not-delivered');
      if (r.reply.infcode !== 0) throw new SignInError(`9001 sign-in for ${op.id} refused: ${r.reply.err_msg}`, false);
      const out = r.reply.output.signinoutb;
      recordSignIn(this.db, { operator_id: op.id, sign_date: date, fixmedins_code: code, sign_no: out.sign_no, sign_time: out.sign_time, msgid, signed_in_at: at.toISOString() });
      this.log(`9001 signed in ${op.id} (${out.sign_no})`);
      return out.sign_no;
    })();
    this.signing.set(key, p);
    try {
      return await p;
    } finally {
      this.signing.delete(key);
    }
  }

  /** 9002 sign-out for an operator's open sign-ins (sign-out, shift end), or for everyone's. Returns how many were closed. */
  async signOut(operatorId?: string): Promise<number> {
    let n = 0;
    for (const s of openSignIns(this.db, operatorId)) {
      const at = this.now();
      const inst = this.institution(s.fixmedins_code);
      if (!inst) continue;
      const msgid = this.db.transaction(() => nextMsgid(this.db, s.fixmedins_code, at))();
      const envCtx: EnvelopeContext = {
        region: inst.region,
        mdtrtareaAdmvs: inst.region.mdtrtareaAdmvs,
        insuplcAdmdvs: inst.region.mdtrtareaAdmvs,
        institution: { code: s.fixmedins_code, name: inst.name },
        operator: { id: s.operator_id, name: inst.operatorName(s.operator_id) },
        signNo: s.sign_no,
        devNo: getTerminal(this.db)?.devNo ?? '',
      };
      const r = await this.client.send(buildEnvelope('9002', msgid, { signOut: { sign_no: s.sign_no, opter_no: s.operator_id } }, envCtx, at), outputSchemaFor('9002'), inst.region.transport.path);
      // A refusal (already signed out, expired) closes it as well; only an unknown outcome keeps it open for the next try.
      if (r.kind === 'reply') {
        markSignedOut(this.db, s.sign_no, at.toISOString());
        n++;
      } else this.log(`9002 sign-out of ${s.operator_id} not confirmed: ${r.error}`);
    }
    return n;
  }

  /** The institution's name and region, from its latest settlement. */
  private institution(code: string): { name: string; region: RegionConfig; operatorName(id: string): string } | null {
    const row = latestInstitutionFacts(this.db, code);
    if (!row) return null;
    return {
      name: row.institution_name,
      region: this.config.region(row.policy_id),
      operatorName: (id) => operatorNameAt(this.db, code, id) ?? id,
    };
  }
}
