// The policy engine: a pure function from (policy version, facts of the sale) to the
// fund/patient split. Rates and caps come from the policy data; this file only interprets it.
import { Decimal, ZERO } from '../money/decimal.ts';
import { SCALED_RESULT_LIMIT, ScaledOverflow, parseScaled } from '../money/scaled.ts';
import { PRICE_SCALE, QUANTITY_SCALE, scaledRate, splitDecimal, splitScaled, type Split, type SplitLineScaled } from './split.ts';
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


/** The annual cap the policy sets for this patient in fen, or null when it sets none; undefined when not exact in integers. */
function policyCapFen(version: PolicyVersion, p: Patient): number | null | undefined {
  if (version.cap.kind === 'supplied') return null;
  for (const entry of version.cap.entries) {
    if (!capEntryMatches(entry, p)) continue;
    const amount = parseScaled(entry.amount, 2);
    if (amount === null) return undefined;
    if (!entry.perExtraDisease) return amount;
    const per = parseScaled(entry.perExtraDisease.amount, 2);
    const total = per === null ? NaN : amount + per * Math.max(0, diseaseCount(p) - entry.perExtraDisease.above);
    return total <= SCALED_RESULT_LIMIT ? total : undefined;
  }
  return null;
}

/** A unit amount in integers for the hot path; an unusual form goes through decimal.js (which throws on garbage, as before). */
function scaledOrEdge(text: string, scale: number): number | null {
  const v = typeof text === 'string' ? parseScaled(text, scale) : null;
  if (v === null) new Decimal(text);
  return v;
}

const RATES = new Map<string, { rate: number; rateScale: number } | null>();
function rateOf(text: string): { rate: number; rateScale: number } | null {
  let r = RATES.get(text);
  if (r === undefined) RATES.set(text, (r = scaledRate(text)));
  return r;
}

interface LineDecision {
  rateText: string;
  rate: string | null;
  covered: boolean;
  why: Reason | null;
  source: string | null;
}

/**
 * Quote one sale under one policy version. Throws InputError when the facts are not enough
 * to compute it (a missing management class, a rate or cap the policy leaves to the site).
 */
export function quoteWithVersion(policy: PolicyFile, version: PolicyVersion, req: QuoteRequest): QuoteResult {
  return quoteIn(policy, version, req, true);
}

/**
 * The same quote with every amount in decimal.js: the reference the integer arithmetic is proven
 * equal to (test/unit/policy-arithmetic.test.ts) and the bench's baseline. Not for callers.
 */
export function quoteWithVersionInDecimal(policy: PolicyFile, version: PolicyVersion, req: QuoteRequest): QuoteResult {
  return quoteIn(policy, version, req, false);
}

function splitExactly(lines: SplitLineScaled[], usedFen: number, capFen: number): Split | null {
  try {
    return splitScaled(lines, usedFen, capFen);
  } catch (e) {
    if (e instanceof ScaledOverflow) return null;
    throw e;
  }
}

function splitInDecimal(version: PolicyVersion, req: QuoteRequest, decisions: LineDecision[]): Split {
  const capLimit = req.annualCap != null ? new Decimal(req.annualCap) : (policyCap(version, req.patient)?.amount ?? ZERO);
  const lines = req.lines.map((line, i) => ({ price: line.price, quantity: line.quantity, paymentStandard: line.paymentStandard ?? null, rate: decisions[i]!.rate }));
  return splitDecimal(lines, req.usedThisYear, capLimit);
}

function quoteIn(policy: PolicyFile, version: PolicyVersion, req: QuoteRequest, scaled: boolean): QuoteResult {
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

  // Amounts as integers where they are exact (almost always); `exact` false sends the sale to decimal.js.
  let exact = scaled;
  const scaledLines: SplitLineScaled[] = [];
  // Per-line rate from the first matching rule.
  const decisions = req.lines.map((line, i): LineDecision => {
    if (exact) {
      const price = scaledOrEdge(line.price, PRICE_SCALE);
      const quantity = scaledOrEdge(line.quantity, QUANTITY_SCALE);
      const standard = line.paymentStandard == null ? null : scaledOrEdge(line.paymentStandard, PRICE_SCALE);
      if (price === null || quantity === null || (line.paymentStandard != null && standard === null)) exact = false;
      else scaledLines.push({ price, quantity, paymentStandard: standard, rate: 0, rateScale: 0 });
    }
    let rate: string | null = null;
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
        rate = rule.rate;
        rateText = rule.rate;
        covered = true;
        source = rule.source;
        if (exact) {
          const r = rateOf(rule.rate);
          if (r === null) exact = false;
          else {
            const l = scaledLines[scaledLines.length - 1]!;
            l.rate = r.rate;
            l.rateScale = r.rateScale;
          }
        }
      }
    }
    return { rateText, rate, covered, why, source };
  });

  // The annual cap: policy table, or supplied by the request (which wins when both exist).
  let capFen: number | null = 0;
  let capSource: 'policy' | 'request' = 'policy';
  if (req.annualCap != null) {
    capFen = scaledOrEdge(req.annualCap, 2);
    capSource = 'request';
  } else {
    const fromPolicy = policyCapFen(version, req.patient);
    if (fromPolicy === undefined) capFen = null;
    else if (fromPolicy !== null) capFen = fromPolicy;
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

  const usedFen = exact ? scaledOrEdge(req.usedThisYear, 2) : null;
  const split = (exact && capFen !== null && usedFen !== null ? splitExactly(scaledLines, usedFen, capFen) : null) ?? splitInDecimal(version, req, decisions);

  const results: QuoteLineResult[] = decisions.map((d, i) => {
    const s = split.lines[i]!;
    return {
      id: req.lines[i]!.id,
      total: s.total,
      inScope: s.inScope,
      rate: d.rateText,
      fund: s.fund,
      patient: s.patient,
      covered: d.covered,
      reason: s.cut ? reason(s.cut) : d.why,
      source: d.source,
    };
  });

  const reasons = saleReasons.map(reason);
  if (split.cut) reasons.push(reason(split.cut));

  return {
    eligible,
    reasons,
    policy: { id: policy.id, name: policy.name, version: version.effectiveFrom, document: version.document },
    total: split.total,
    inScope: split.inScope,
    fund: split.fund,
    patient: split.patient,
    cap: { limit: split.cap.limit, remainingBefore: split.cap.remainingBefore, remainingAfter: split.cap.remainingAfter, source: capSource },
    lines: results,
  };
}

/** Quote a validated request: pick the version in force on its date, then compute. */
export function quote(book: PolicyBook, req: QuoteRequest): QuoteResult {
  const { policy, version } = book.resolve(req.policy, req.date);
  return quoteWithVersion(policy, version, req);
}

