// The policy engine: a pure function from (policy version, facts of the sale) to the
// fund/patient split. Rates and caps come from the policy data; this file only interprets it.
import { Decimal, ZERO, fen, roundFen } from '../money/decimal.ts';
import { InputError, type Problem } from '../contract/problems.ts';
import type { QuoteLineResult, QuoteRequest, QuoteResult, Reason } from '../contract/quote.ts';
import type { PolicyBook } from './load.ts';
import type { CapEntry, LineRule, PolicyFile, PolicyVersion } from './schema.ts';
import { reason, type ReasonCode } from './reasons.ts';
import { unfiledConditionReason } from './coverage.ts';

const UNFILED_CONDITION_SOURCE = 'seed 000 §二.(二).3 / 附件2: 两病用药按备案病种保障; seed 003 §二.(三).1: 出现新病种的办理变更';

type Patient = QuoteRequest['patient'];

/** Sale-level reasons the patient or the institution fall outside the scheme. */
export function eligibilityReasons(version: PolicyVersion, req: QuoteRequest): ReasonCode[] {
  const e = version.eligibility;
  const out: ReasonCode[] = [];
  if (!e.insurance.includes(req.patient.insurance)) out.push('INSURANCE_NOT_COVERED');
  if (req.patient.conditions.length === 0) out.push('NO_QUALIFYING_CONDITION');
  const since = req.patient.chronicDiseaseSince;
  if (e.chronicDiseaseSupersedes && since && since <= req.date) out.push('CHRONIC_DISEASE_SUPERSEDES');
  if (!e.institutionTypes.includes(req.institution.type)) out.push('INSTITUTION_TYPE_NOT_COVERED');
  if (!e.levels.includes(req.institution.level)) out.push('INSTITUTION_LEVEL_NOT_COVERED');
  if (e.designatedInstitutionOnly) {
    const chosen = req.patient.designatedInstitution;
    if (!chosen) out.push('NO_DESIGNATED_INSTITUTION');
    else if (chosen !== req.institution.code) out.push('NOT_DESIGNATED_INSTITUTION');
  }
  return out;
}

function lineRuleMatches(rule: LineRule, line: QuoteRequest['lines'][number], req: QuoteRequest): boolean {
  const w = rule.when;
  if (w.kind !== undefined && w.kind !== line.kind) return false;
  if (w.listed !== undefined && w.listed !== line.listed) return false;
  if (w.vbp !== undefined && w.vbp !== line.vbp) return false;
  if (w.levels && !w.levels.includes(req.institution.level)) return false;
  if (w.managementClass && (req.patient.managementClass == null || !w.managementClass.includes(req.patient.managementClass))) return false;
  if (w.insurance && !w.insurance.includes(req.patient.insurance)) return false;
  if (w.institutionType && !w.institutionType.includes(req.institution.type)) return false;
  return true;
}

function diseaseCount(p: Patient): number {
  return p.conditions.length + (p.otherChronicDiseases ?? 0);
}

function capEntryMatches(entry: CapEntry, p: Patient): boolean {
  const w = entry.when;
  if (w.insurance && !w.insurance.includes(p.insurance)) return false;
  if (w.managementClass && (p.managementClass == null || !w.managementClass.includes(p.managementClass))) return false;
  if (w.diseaseCountAtLeast !== undefined && diseaseCount(p) < w.diseaseCountAtLeast) return false;
  if (w.conditions) {
    const h = p.conditions.includes('hypertension');
    const d = p.conditions.includes('diabetes');
    const ok = { both: h && d, hypertension: h && !d, diabetes: d && !h, any: h || d }[w.conditions];
    if (!ok) return false;
  }
  return true;
}

/** The annual cap the policy sets for this patient, or null when the policy leaves it to the request. */
export function policyCap(version: PolicyVersion, p: Patient): { amount: Decimal; source: string } | null {
  if (version.cap.kind === 'supplied') return null;
  for (const entry of version.cap.entries) {
    if (!capEntryMatches(entry, p)) continue;
    let amount = new Decimal(entry.amount);
    if (entry.perExtraDisease) {
      const extra = Math.max(0, diseaseCount(p) - entry.perExtraDisease.above);
      amount = amount.plus(new Decimal(entry.perExtraDisease.amount).times(extra));
    }
    return { amount, source: entry.source };
  }
  return null;
}


const RATES = new Map<string, Decimal>();
function rateOf(text: string): Decimal {
  let r = RATES.get(text);
  if (!r) RATES.set(text, (r = new Decimal(text)));
  return r;
}

/**
 * Quote one sale under one policy version. Throws InputError when the facts are not enough
 * to compute it (a missing management class, a rate or cap the policy leaves to the site).
 */
export function quoteWithVersion(policy: PolicyFile, version: PolicyVersion, req: QuoteRequest): QuoteResult {
  const saleReasons = eligibilityReasons(version, req);
  const eligible = saleReasons.length === 0;
  const missing: Problem[] = [];

  if (eligible && version.eligibility.requiresManagementClass && req.patient.managementClass == null) {
    missing.push({
      path: 'patient.managementClass',
      code: 'REQUIRED_BY_POLICY',
      message: `policy ${policy.id} needs the patient's management class (1 or 2)`,
      messageZh: `${policy.name}两病政策需要患者的管理类别（一类或二类）`,
    });
  }

  // Per-line rate from the first matching rule.
  const lines = req.lines.map((line, i) => {
    const price = new Decimal(line.price);
    const qty = new Decimal(line.quantity);
    const total = roundFen(price.times(qty));
    // The payment standard caps what the fund recognises (seed 000 §二.(二).4); none given = the price.
    const standard = line.paymentStandard == null ? null : new Decimal(line.paymentStandard);
    const inScope = standard === null || standard.gte(price) ? total : roundFen(standard.times(qty));
    let rate = ZERO;
    let rateText = '0';
    let covered = false;
    let why: Reason | null = null;
    let source: string | null = null;
    const unfiled = eligible ? unfiledConditionReason(line, req.patient) : null;
    if (!eligible) {
      why = reason(saleReasons[0]!);
    } else if (unfiled) {
      why = reason(unfiled);
      source = UNFILED_CONDITION_SOURCE;
    } else {
      const rule = version.lineRules.find((r) => lineRuleMatches(r, line, req));
      if (!rule) {
        missing.push({ path: `lines.${i}`, code: 'NO_RULE', message: `policy ${policy.id} has no rule for this line`, messageZh: `${policy.name}政策没有适用于此项目的规则` });
      } else if ('covered' in rule) {
        why = reason(rule.reason as ReasonCode);
        source = rule.source;
      } else if (rule.rate === null) {
        missing.push({
          path: `lines.${i}`,
          code: 'RATE_NOT_PUBLISHED',
          message: `policy ${policy.id} (version ${version.effectiveFrom}) publishes no reimbursement rate for this line; supply one in a site policy file (${'LBC_POLICY_DIR'})`,
          messageZh: `${policy.name}政策文件未公布报销比例，请在本站政策文件中配置`,
        });
        source = rule.source;
      } else {
        rate = rateOf(rule.rate);
        rateText = rule.rate;
        covered = true;
        source = rule.source;
      }
    }
    return { line, total, inScope, rateText, covered, why, source, fund: rate.isZero() ? ZERO : roundFen(inScope.times(rate)) };
  });

  // The annual cap: policy table, or supplied by the request (which wins when both exist).
  let capLimit: Decimal = ZERO;
  let capSource: 'policy' | 'request' = 'policy';
  if (req.annualCap != null) {
    capLimit = new Decimal(req.annualCap);
    capSource = 'request';
  } else {
    const fromPolicy = policyCap(version, req.patient);
    if (fromPolicy) capLimit = fromPolicy.amount;
    else if (eligible) {
      missing.push({
        path: 'annualCap',
        code: 'CAP_REQUIRED',
        message:
          version.cap.kind === 'supplied'
            ? `policy ${policy.id} sets no annual cap of its own (${version.cap.source}); supply annualCap with the request or in a site policy file`
            : `policy ${policy.id} has no cap entry for this patient`,
        messageZh: `${policy.name}政策未规定年度支付限额，请随请求提供 annualCap 或在本站政策文件中配置`,
      });
    }
  }

  if (missing.length > 0) {
    throw new InputError('POLICY_INCOMPLETE', `Cannot quote under ${policy.id}: ${missing.map((m) => `${m.path}: ${m.message}`).join('; ')}`, `无法按${policy.name}政策计算：${missing.map((m) => m.messageZh).join('；')}`, missing);
  }

  const used = new Decimal(req.usedThisYear);
  const remainingBefore = capLimit.greaterThan(used) ? capLimit.minus(used) : ZERO;
  let left = remainingBefore;
  let capCut = false;
  let sumTotal = ZERO;
  let sumInScope = ZERO;
  let sumFund = ZERO;
  const results: QuoteLineResult[] = lines.map((l) => {
    let fund = l.fund;
    let why = l.why;
    if (fund.greaterThan(left)) {
      why = reason(left.isZero() ? 'CAP_EXHAUSTED' : 'CAP_PARTLY_USED');
      fund = left;
      capCut = true;
    }
    left = left.minus(fund);
    sumTotal = sumTotal.plus(l.total);
    sumInScope = sumInScope.plus(l.inScope);
    sumFund = sumFund.plus(fund);
    return {
      id: l.line.id,
      total: fen(l.total),
      inScope: fen(l.inScope),
      rate: l.rateText,
      fund: fen(fund),
      patient: fen(l.total.minus(fund)),
      covered: l.covered,
      reason: why,
      source: l.source,
    };
  });

  const reasons = saleReasons.map(reason);
  if (capCut) reasons.push(reason(remainingBefore.isZero() ? 'CAP_EXHAUSTED' : 'CAP_PARTLY_USED'));

  return {
    eligible,
    reasons,
    policy: { id: policy.id, name: policy.name, version: version.effectiveFrom, document: version.document },
    total: fen(sumTotal),
    inScope: fen(sumInScope),
    fund: fen(sumFund),
    patient: fen(sumTotal.minus(sumFund)),
    cap: { limit: fen(capLimit), remainingBefore: fen(remainingBefore), remainingAfter: fen(left), source: capSource },
    lines: results,
  };
}

/** Quote a validated request: pick the version in force on its date, then compute. */
export function quote(book: PolicyBook, req: QuoteRequest): QuoteResult {
  const { policy, version } = book.resolve(req.policy, req.date);
  return quoteWithVersion(policy, version, req);
}

