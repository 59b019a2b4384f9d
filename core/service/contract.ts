// The counter service contract: every method's input and output, defined once as zod schemas.
// The HTTP plugin API, the Electron IPC handlers, the browser bridge and the OpenAPI document
// all come from this file, so a field can only mean one thing whichever door it came through.
import { z } from 'zod';
import { decimalField, isoDate } from '../contract/fields.ts';
import { StaffCodeFields } from '../contract/staff.ts';
import { FilingRequestSchema } from '../filing/contract.ts';
import { PrescriptionSchema } from '../contract/prescription.ts';
import { PAYMENT_METHODS, PaymentSchema } from '../contract/payment.ts';
import { DispensedLineShape } from '../contract/dispensed.ts';
import { saleQuantity } from '../contract/sale.ts';

// ---------- shared pieces ----------

const money = z.string().regex(/^-?\d+\.\d{2}$/).describe('amount in yuan, two decimals');
const id = (what: string) => z.string().trim().min(1, { message: `${what} is required` }).max(64);

export const ReasonSchema = z.object({ code: z.string(), message: z.string() });
export type ReasonView = z.infer<typeof ReasonSchema>;

/** The supervision rules a line can be blocked by (core/supervision): the screen names them in words. */
export const SUPERVISION_RULES = ['MAX_SUPPLY', 'EARLY_REFILL'] as const;
export const SUPERVISION_RULE_ZH: Record<(typeof SUPERVISION_RULES)[number], string> = { MAX_SUPPLY: '超量开药', EARLY_REFILL: '提前重复开药' };

export const OPERATOR_ROLES = ['pharmacist', 'clerk', 'admin'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export const ROLE_ZH: Record<OperatorRole, string> = { pharmacist: '药师', clerk: '收费员', admin: '管理员' };

/** A signed-in operator's session: the proof every settlement carries of who did it. */
const session = z.string().trim().min(16, { message: 'sign in first (session missing)' }).max(128).describe('session from signIn');

const lineInput = z.strictObject({
  code: id('code').describe('catalog code: national code, own code or barcode'),
  quantity: saleQuantity(),
  /** Days of supply this line covers (from the prescription): enables the supply and refill checks. */
  days: z.number().int().min(1, { message: 'days must be at least 1' }).max(3660).optional(),
  /** Trace codes, batch, expiry and 用法用量 of what was dispensed (core/contract/dispensed.ts). */
  ...DispensedLineShape,
});

// ---------- inputs ----------

export const LookupInput = z.object({
  input: z.string().trim().min(1, { message: 'scan or type the patient code' }).max(512).describe('医保码 token, social-security card record or ID number'),
  date: isoDate('date', '日期').optional(),
});

export const SearchInput = z.object({
  text: z.string().trim().min(1, { message: 'type something to search' }).max(100),
  limit: z.number().int().min(1).max(50).default(20),
});

// Sale bodies are strict: an unknown field is refused, never silently dropped (issue 11).
export const QuoteInput = z.strictObject({
  patient: LookupInput.shape.input,
  date: isoDate('date', '结算日期').optional(),
  lines: z.array(lineInput).min(1, { message: 'a sale needs at least one line' }).max(200),
  /** The prescription dispensed on (core/contract/prescription.ts): a pharmacy is paid at the prescriber's level. */
  prescription: PrescriptionSchema.optional(),
});

export const SettleInput = QuoteInput.extend({
  session,
  /** Idempotency key chosen by the caller: retrying the same request never settles twice. */
  requestId: z.uuid({ message: 'requestId must be a UUID' }),
  /**
   * What was collected for the patient's share (quote's patientPays): 实收 and the amount per method.
   * The methods add up to 实收; 实收 is at least 应收; only cash gives change (the others are exact).
   * Absent: the host POS collects and keeps its own record.
   */
  payment: PaymentSchema.optional(),
});

/**
 * One line of a return: its id (all that is left of it), or its id and the quantity going back
 * (packages, up to 4 decimals; part packages only where the catalog allows 拆零).
 */
export const ReturnLine = z.union([
  id('lineId'),
  z.object({
    lineId: id('lineId'),
    quantity: z.string().regex(/^\d{1,7}(\.\d{1,4})?$/, { message: 'quantity must be a positive number of packages (up to 4 decimals)' }),
  }).strict(),
]);
export type ReturnLine = z.infer<typeof ReturnLine>;

export const ReverseInput = z.object({
  session,
  settlementId: id('settlementId'),
  reason: z.string().trim().min(1, { message: 'give a reason for the return' }).max(200),
  /** What to return: a line id (all that is left of it) or a line with the quantity to return; everything left when absent. */
  lines: z.array(ReturnLine).min(1, { message: 'choose at least one line to return' }).max(200).optional(),
  /** The caller's key for this return: sent twice (a double click, a retry), it is recorded once. */
  requestId: z.uuid({ message: 'requestId must be a UUID' }).optional(),
});

export const FindSettlementsInput = z.object({
  text: z.string().trim().max(100).default(''),
  limit: z.number().int().min(1).max(100).default(20),
});

export const GetSettlementInput = z.object({ settlementId: id('settlementId') });
export const RetryUploadInput = z.object({ session, settlementId: id('settlementId') });

export const PRINT_DOCUMENTS = ['receipt', 'prescription', 'drug-list', 'public-list', 'test-page'] as const;
/** Documents printed without a settlement. */
export const STANDALONE_DOCUMENTS: readonly string[] = ['public-list', 'test-page'];
export const PRINT_LAYOUTS = ['a5', '80mm'] as const;
export const PrintInput = z
  .object({
    session,
    document: z.enum(PRINT_DOCUMENTS),
    layout: z.enum(PRINT_LAYOUTS).default('a5'),
    settlementId: z.string().max(64).optional(),
  })
  .superRefine((v, ctx) => {
    if (!STANDALONE_DOCUMENTS.includes(v.document) && !v.settlementId) {
      ctx.addIssue({ code: 'custom', path: ['settlementId'], message: `${v.document} is printed from a settlement: settlementId is required`, params: { zh: '请指定结算单号' } });
    }
  });

export const SignInInput = z.object({
  operatorId: id('operatorId'),
  pin: z.string().regex(/^\d{4,8}$/, { message: 'PIN must be 4 to 8 digits' }),
});
export const SignOutInput = z.object({ session });

export const CreateOperatorInput = z.object({
  session: session.optional().describe('an administrator session; not needed for the very first operator'),
  id: z.string().trim().regex(/^[A-Za-z0-9_-]{2,32}$/, { message: 'operator id: 2–32 letters, digits, - or _' }),
  name: z.string().trim().min(1).max(40),
  role: z.enum(OPERATOR_ROLES),
  pin: SignInInput.shape.pin,
});

export const SetStaffCodeInput = StaffCodeFields.extend({ session: session.optional().describe('an administrator session') });
export const StaffCodeOutput = z.object({ operatorId: z.string(), code: z.string(), name: z.string().nullable(), deptCode: z.string(), deptName: z.string(), caty: z.string().nullable() });
export const ChangePinInput = z.object({ session, currentPin: SignInInput.shape.pin, newPin: SignInInput.shape.pin });
export const SetOperatorActiveInput = z.object({ session, operatorId: id('operatorId'), active: z.boolean() });

export const SettingsSchema = z.object({
  institution: z.object({
    code: z.string().trim().min(1, { message: 'institution code is required' }).max(30),
    name: z.string().trim().min(1, { message: 'institution name is required' }).max(100),
    type: z.enum(['clinic', 'pharmacy']),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    policy: z.string().trim().min(1).max(40),
    regionCode: z.string().trim().max(12).default(''),
  }),
  platform: z.object({
    endpoint: z.union([z.url({ message: 'platform endpoint must be a URL' }), z.literal('')]).default(''),
  }),
  printers: z.object({
    receipt: z.string().max(100).default(''),
    receiptLayout: z.enum(PRINT_LAYOUTS).default('80mm'),
    prescription: z.string().max(100).default(''),
    prescriptionLayout: z.enum(PRINT_LAYOUTS).default('a5'),
    /** Where the printer puts the page: shifts every document down / right (negative: up / left), in mm. */
    offsetTopMm: z.number().min(-20).max(20).default(0),
    offsetLeftMm: z.number().min(-20).max(20).default(0),
  }),
});
export const SaveSettingsInput = z.object({ session, settings: SettingsSchema });
export const EmptyInput = z.object({}).default({});
/** A written reason: at least this many characters (core/supervision MIN_REASON_CHARS). */
export const OVERRIDE_REASON_MIN = 4;

export const OverrideInput = QuoteInput.extend({
  session,
  lineId: id('lineId').describe('the blocked line as the quote names it (L1, L2, … in the order sent)'),
  rule: z.enum(SUPERVISION_RULES),
  reason: z
    .string()
    .trim()
    .max(200, { message: 'the reason is at most 200 characters' })
    .refine((s) => [...s].length >= OVERRIDE_REASON_MIN, { message: `write the reason out (at least ${OVERRIDE_REASON_MIN} characters)`, params: { zh: `请写明放行理由（至少${OVERRIDE_REASON_MIN}个字）` } }),
  /** A pharmacist or administrator authorising at a billing clerk's counter (their own PIN). */
  authorizer: z.object({ operatorId: id('operatorId'), pin: z.string().regex(/^\d{4,8}$/, { message: 'PIN must be 4 to 8 digits' }) }).optional(),
});

/** A filing at the counter (备案, or a change such as 新增病种); the diagnosing doctor is named in it. */
export const FileInput = z.object({ session, request: FilingRequestSchema });
export const FileOutput = z.object({
  filingId: z.string(),
  kind: z.enum(['new', 'change', 'stop']),
  psnNo: z.string(),
  conditions: z.array(z.enum(['hypertension', 'diabetes'])),
  conditionsZh: z.string(),
  managementClass: z.number().nullable(),
  uploads: z.number().int(),
  summaryZh: z.string(),
});

/** Someone not on the roster: may this institution file them now, or do they go on the candidates list? */
export const FilingOfferInput = z.object({ certno: z.string().trim().min(15).max(18).describe('the ID number read from the card') });
export const FilingOfferOutput = z.object({ onRoster: z.boolean(), fileHere: z.boolean(), adviceZh: z.string() });
export const AddCandidateInput = z.object({
  session,
  certno: z.string().trim().min(15).max(18),
  name: z.string().trim().min(1).max(50),
  conditions: z.array(z.enum(['hypertension', 'diabetes'])).min(1).max(2),
  drugs: z.string().trim().max(200).optional(),
});
export const CandidateView = z.object({ nameMasked: z.string(), certnoMasked: z.string(), conditionsZh: z.string(), drugs: z.string().nullable(), firstSeen: z.string(), lastSeen: z.string() });
export const CandidatesInput = z.object({ session });
export const CandidatesOutput = z.object({ items: z.array(CandidateView), csv: z.string(), filename: z.string() });

/** A self-pay sale, or an out-of-area patient's sale paid here with a 垫付 claim receipt (strict: a sale's unknown field is refused). */
export const CashSaleInput = z.strictObject({
  session,
  requestId: z.uuid({ message: 'requestId must be a UUID' }),
  kind: z.enum(['self-pay', 'out-of-area']),
  date: isoDate('date', '日期').optional(),
  /** A roster patient (as scanned), when the sale is for one. */
  patient: z.string().trim().min(1).max(512).optional(),
  person: z
    .strictObject({
      name: z.string().trim().min(1).max(50),
      /** 人员编号 the insuring region gave (医保码 / 1101): needed where the platform settles out-of-area sales directly. */
      psnNo: z.string().trim().min(1).max(30).optional(),
      certno: z.string().trim().max(18).optional(),
      insuredRegion: z.string().regex(/^\d{6}$/, { message: 'insuredRegion must be a 6-digit region code' }).optional(),
      insurance: z.enum(['resident', 'employee']).optional(),
      conditions: z.array(z.enum(['hypertension', 'diabetes'])).max(2).optional(),
    })
    .optional(),
  lines: z.array(z.strictObject({ code: z.string().trim().min(1).max(40), quantity: saleQuantity() })).min(1).max(200),
  reason: z.string().trim().max(200).optional(),
  layout: z.enum(['a5', '80mm']).default('a5'),
});
export const CashSaleOutput = z.object({
  id: z.string(),
  receiptNo: z.string(),
  kind: z.enum(['self-pay', 'out-of-area']),
  kindZh: z.string(),
  date: z.string(),
  total: money,
  nameMasked: z.string(),
  lines: z.array(z.object({ code: z.string(), name: z.string(), quantity: z.string(), price: z.string(), total: money })),
  html: z.string(),
  pageSize: z.object({ widthMm: z.number(), heightMm: z.number().nullable() }),
  /** counter: recorded here (self-pay, or a 垫付 claim); platform: an out-of-area sale settled through the platform (journal and outbox). */
  settledBy: z.enum(['counter', 'platform']),
});

export const StockComplianceInput = z.object({ session });
export const StockComplianceOutput = z.object({
  institution: z.object({ code: z.string(), name: z.string() }),
  kindZh: z.string(),
  vbpDrugs: z.array(z.string()),
  vbpMinimum: z.number().nullable(),
  classes: z.object({ hypertension: z.array(z.string()), diabetes: z.array(z.string()) }),
  classMinimum: z.number(),
  meets: z.boolean(),
  shortfallsZh: z.array(z.string()),
});

export const REPORT_NAMES = ['monthly-residents', 'monthly-employees', 'people', 'statistics', 'variances', 'overrides', 'capitation'] as const;
export const REPORT_TITLE_ZH: Record<(typeof REPORT_NAMES)[number], string> = {
  'monthly-residents': '居民医保月报表（附件4）',
  'monthly-employees': '职工医保月报表（附件5）',
  people: '“两病”人员统计（附件6）',
  statistics: '待遇保障统计',
  variances: '本地与平台差异',
  overrides: '监管放行记录',
  capitation: '按人头付费结算单',
};
export const REPORT_FORMATS = ['html', 'csv', 'xlsx', 'json'] as const;
export const ReportInput = z.object({
  session,
  name: z.enum(REPORT_NAMES),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be yyyy-MM' }).describe('yyyy-MM'),
  format: z.enum(REPORT_FORMATS).default('html'),
});


// ---------- outputs ----------

export const PatientView = z.object({
  psnNo: z.string(),
  nameMasked: z.string(),
  certnoMasked: z.string(),
  gender: z.string(),
  age: z.number().nullable(),
  insurance: z.enum(['resident', 'employee']),
  insuranceZh: z.string(),
  conditions: z.array(z.enum(['hypertension', 'diabetes'])),
  conditionsZh: z.string(),
  managementClass: z.number().nullable(),
  designatedInstitution: z.string().nullable(),
  designatedHere: z.boolean().nullable(),
  status: z.string(),
  policy: z.object({ id: z.string(), name: z.string(), version: z.string(), document: z.string() }).nullable(),
  eligible: z.boolean(),
  reasons: z.array(ReasonSchema),
  /** `figureZh`: with a hub configured, whose figure `used` is (all counters of the group, or this counter only), in plain Chinese. */
  cap: z.object({ limit: money, used: money, left: money, figureZh: z.string().nullable().optional() }).nullable(),
});
export type PatientView = z.infer<typeof PatientView>;

export const LookupOutput = z.object({
  found: z.boolean(),
  kind: z.string().describe('what the input was read as: id-card, social-security-card, ec-voucher, unknown'),
  patient: PatientView.nullable(),
  problems: z.array(z.object({ path: z.string(), code: z.string(), message: z.string(), messageZh: z.string() })),
  /** The platform's answer (1101/5301) beside the roster's, when a platform is configured: the roster still decides. */
  online: z
    .object({
      checked: z.boolean(),
      differences: z.array(z.object({ field: z.string(), messageZh: z.string() })),
      noteZh: z.string().nullable(),
    })
    .optional(),
});
export type LookupOutput = z.infer<typeof LookupOutput>;

export const CatalogHit = z.object({
  code: z.string(),
  ownCode: z.string().nullable(),
  barcode: z.string().nullable(),
  name: z.string(),
  tradeName: z.string().nullable(),
  form: z.string().nullable(),
  spec: z.string().nullable(),
  manufacturer: z.string().nullable(),
  unit: z.string().nullable(),
  price: z.string(),
  paymentStandard: z.string().nullable(),
  listed: z.boolean(),
  vbp: z.boolean(),
  grade: z.string().nullable().describe('甲/乙'),
  restriction: z.string().nullable(),
  /** A demo price (the shipped demo catalog): never a real one. */
  demo: z.boolean(),
});
export type CatalogHit = z.infer<typeof CatalogHit>;
export const SearchOutput = z.object({ items: z.array(CatalogHit) });

export const QuoteLineView = z.object({
  lineId: z.string(),
  item: CatalogHit,
  quantity: z.string(),
  total: money,
  inScope: money,
  rate: z.string(),
  fund: money,
  patient: money,
  covered: z.boolean(),
  /** The rate in words ("报销 90%", "不予报销"). */
  rateZh: z.string(),
  /** What decided the amount (集采, level, class, over the payment standard, cap left), in plain Chinese. */
  explain: z.array(z.string()),
  /** The document and paragraph the rate comes from, by the document's name. */
  sourceZh: z.string().nullable(),
  warnings: z.array(ReasonSchema),
  /** A supervision finding (over the region's supply ceiling, refill too early) blocks settling. */
  blocked: z.boolean(),
  /** The rules still blocking this line (an authorised override of each unblocks it). */
  blockedBy: z.array(z.enum(SUPERVISION_RULES)),
});
export const QuoteOutput = z.object({
  patient: PatientView,
  date: z.string(),
  eligible: z.boolean(),
  reasons: z.array(ReasonSchema),
  total: money,
  fund: money,
  patientPays: money,
  /** The year's cap; `source` says whose figure of what was already paid it started from: this counter's, or the group's (hub). */
  cap: z.object({
    limit: money,
    before: money,
    after: money,
    source: z.enum(['counter', 'group']),
    /** With a hub configured: whose figure it was and as of when, in plain Chinese (null: no hub). */
    figureZh: z.string().nullable(),
  }),
  /** The methods that may pay patientPays here (医保个人账户: employees, where the region allows it). */
  payableWith: z.array(z.enum(PAYMENT_METHODS)),
  lines: z.array(QuoteLineView),
  /** The region's supply rule the check used (document and paragraph, by the document's name), when any line gave its days. */
  supply: z.object({ maxDaysPerPrescription: z.number().nullable(), source: z.string() }).nullable(),
  blocked: z.boolean(),
});
export type QuoteOutput = z.infer<typeof QuoteOutput>;

export const PaymentView = z.object({
  due: money,
  received: money,
  change: money,
  methods: z.array(z.object({ method: z.enum(PAYMENT_METHODS), methodZh: z.string(), amount: money })),
});

export const OUTBOX_STATES = ['pending', 'sending', 'acked', 'rejected', 'ambiguous', 'dead', 'local'] as const;
export const SettlementView = z.object({
  id: z.string(),
  receiptNo: z.string(),
  kind: z.enum(['sale', 'reversal']),
  reverses: z.string().nullable(),
  createdAt: z.string(),
  date: z.string(),
  operator: z.object({ id: z.string(), name: z.string(), role: z.string() }),
  patient: z.object({ psnNo: z.string(), nameMasked: z.string(), certnoMasked: z.string(), insuranceZh: z.string(), conditionsZh: z.string() }),
  policy: z.object({ id: z.string(), name: z.string(), version: z.string() }),
  total: money,
  fund: money,
  patientPays: money,
  capLeft: money,
  /** With a hub configured: whose figure of the year's used amount the sale was priced from, as of when (null: no hub). */
  poolFigureZh: z.string().nullable(),
  lines: z.array(
    z.object({
      lineId: z.string(),
      code: z.string(),
      name: z.string(),
      spec: z.string().nullable(),
      quantity: z.string(),
      price: z.string(),
      total: money,
      fund: money,
      patient: money,
      /** The rate and what decided the amount, in plain Chinese (a sale's lines; none on a reversal). */
      rateZh: z.string().nullable(),
      explain: z.array(z.string()),
      /** A sale's line: the quantity still returnable (the sold quantity less its returns); a return's line: '0'. */
      left: z.string(),
    }),
  ),
  /** The policy document the sale was settled under, by its name. */
  policyDocument: z.string().nullable(),
  outbox: z.object({ state: z.string(), stateZh: z.string(), detail: z.string().nullable() }),
  reversedBy: z.array(z.string()),
  /** 应收/实收/找零 and the amount per method (a return: the refund, negative); null when none was recorded (a host POS collected it). */
  payment: PaymentView.nullable(),
  /** A return's written reason. */
  reason: z.string().nullable(),
});
export type SettlementView = z.infer<typeof SettlementView>;
export const FindSettlementsOutput = z.object({ items: z.array(SettlementView) });

export const OutboxStatusOutput = z.object({
  total: z.number(),
  uploaded: z.number(),
  waiting: z.number(),
  attention: z.number(),
  platform: z.object({ endpoint: z.string(), reachable: z.boolean().nullable(), checkedAt: z.string().nullable() }),
  summaryZh: z.string(),
});
export type OutboxStatusOutput = z.infer<typeof OutboxStatusOutput>;

export const AttentionItem = z.object({
  settlementId: z.string(),
  receiptNo: z.string(),
  state: z.string(),
  stateZh: z.string(),
  problemZh: z.string(),
  whatToDoZh: z.string(),
  since: z.string().nullable(),
  /** Whether "retry upload" applies (a dead message; a refusal is answered by a reversal instead). */
  canRetry: z.boolean(),
});
export const AttentionOutput = z.object({ items: z.array(AttentionItem) });

export const PrintOutput = z.object({
  document: z.enum(PRINT_DOCUMENTS),
  layout: z.enum(PRINT_LAYOUTS),
  copy: z.number().int().describe('1 for the first print, 2 and up for reprints'),
  pageSize: z.object({ widthMm: z.number(), heightMm: z.number().nullable() }),
  html: z.string(),
});
export type PrintOutput = z.infer<typeof PrintOutput>;

export const OverrideOutput = z.object({
  override: z.object({
    id: z.string(),
    lineId: z.string(),
    code: z.string(),
    drug: z.string(),
    rule: z.enum(SUPERVISION_RULES),
    ruleZh: z.string(),
    findingZh: z.string(),
    reason: z.string(),
    date: z.string(),
    operator: z.object({ id: z.string(), name: z.string(), role: z.string(), roleZh: z.string() }),
    createdAt: z.string(),
  }),
  /** The sale priced again: the line is no longer blocked by this rule. */
  quote: QuoteOutput,
});
export type OverrideOutput = z.infer<typeof OverrideOutput>;

export const ReportOutput = z.object({
  name: z.enum(REPORT_NAMES),
  titleZh: z.string(),
  month: z.string(),
  format: z.enum(REPORT_FORMATS),
  filename: z.string(),
  mime: z.string(),
  encoding: z.enum(['utf8', 'base64']),
  /** The report itself: HTML (tables and the SVG chart, printable), CSV, JSON, or XLSX in base64. */
  content: z.string(),
  summary: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type ReportOutput = z.infer<typeof ReportOutput>;

export const OperatorView = z.object({ id: z.string(), name: z.string(), role: z.enum(OPERATOR_ROLES), roleZh: z.string() });
export const SignInOutput = z.object({ session: z.string(), operator: OperatorView });
export const OperatorsOutput = z.object({ items: z.array(OperatorView), needsFirstAdmin: z.boolean() });
export const OperatorAccountsOutput = z.object({ items: z.array(OperatorView.extend({ active: z.boolean() })) });
export const SettingsOutput = z.object({ settings: SettingsSchema, policies: z.array(z.object({ id: z.string(), name: z.string() })) });
export const OkOutput = z.object({ ok: z.literal(true) });

export const ReturnPreviewInput = z.object({
  settlementId: id('settlementId'),
  lines: z.array(ReturnLine).min(1, { message: 'choose at least one line to return' }).max(200).optional(),
});
export const ReturnPreviewOutput = z.object({
  receiptNo: z.string(),
  /** The patient's share to give back. */
  amount: money,
  /** The fund's share going back to the year's pool (through the platform). */
  fund: money,
  total: money,
  /** Per line: the quantity going back, what is left of the line after it, and the amounts going back. */
  lines: z.array(z.object({ lineId: z.string(), name: z.string(), quantity: z.string(), left: z.string(), total: money, fund: money, patient: money })),
  /** How it goes back, per method (null: the sale's payment was collected by a host POS). */
  refund: PaymentView.nullable(),
});

/** 挂单: the sale in progress as the screen holds it (the settle body without session and payment). */
export const HoldSaleInput = z.object({
  session,
  sale: QuoteInput,
  requestId: z.uuid({ message: 'requestId must be a UUID' }),
  /** What the list shows (the masked patient and the first drug). */
  label: z.string().trim().min(1).max(100),
});
export const HeldSaleView = z.object({ id: z.string(), requestId: z.string(), label: z.string(), heldAt: z.string(), operatorId: z.string() });
export const HeldSalesOutput = z.object({ items: z.array(HeldSaleView) });
export const RecallSaleInput = z.object({ session, id: id('id') });
export const RecallSaleOutput = z.object({ id: z.string(), requestId: z.string(), label: z.string(), sale: QuoteInput });

export const ShiftStatementInput = z.object({ session, layout: z.enum(PRINT_LAYOUTS).default('80mm') });
export const ShiftStatementOutput = z.object({
  operator: z.object({ id: z.string(), name: z.string(), roleZh: z.string() }),
  from: z.string(),
  to: z.string(),
  sales: z.object({ count: z.number().int(), total: money, fund: money, patient: money }),
  returns: z.object({ count: z.number().int(), total: money, fund: money, patient: money }),
  byMethod: z.array(z.object({ method: z.enum(PAYMENT_METHODS), methodZh: z.string(), received: money, refunded: money, net: money })),
  cashExpected: money,
  unrecorded: z.number().int(),
  pageSize: z.object({ widthMm: z.number(), heightMm: z.number().nullable() }),
  html: z.string(),
});

export const CloseDayInput = z.object({ session, date: isoDate('date', '日结日期').optional() });
export const CloseDayOutput = z.object({
  date: z.string(),
  balanced: z.boolean(),
  summaryZh: z.string(),
  groups: z.array(z.object({ insuranceZh: z.string(), count: z.number().int(), medfee: money, fund: money, acct: money, balanced: z.boolean(), resultZh: z.string() })),
});

/**
 * Who may call a method — its surfaces:
 *  - `plugin`: the host POS over HTTP with the plugin token (api-token in the data directory);
 *  - `screen`: the counter's own screen (Electron IPC, or the browser shell with its screen token);
 *  - `admin`: the screen with an administrator's session (settings, operators, the endpoint).
 */
export const SURFACES = ['plugin', 'screen', 'admin'] as const;
export type Surface = (typeof SURFACES)[number];
/** Who presents a credential: the host POS (plugin token) or the counter screen (IPC, screen token). */
export type Caller = 'plugin' | 'screen';

export interface MethodSpec {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
  readonly surfaces: readonly [Surface, ...Surface[]];
  readonly summary: string;
  /** An admin method callable without a session while no operator exists (the first administrator is created on first run). */
  readonly bootstrap?: true;
}

const PLUGIN_AND_SCREEN = ['plugin', 'screen'] as const;
const SCREEN = ['screen'] as const;
const ADMIN = ['admin'] as const;

/**
 * THE method list: every method of the service, defined once with its input schema, output
 * schema and surfaces. CounterService's handler map, the HTTP routes and their credential check,
 * the IPC channels, the preload bridge, the renderer's types and the OpenAPI document all derive
 * from it; nothing else names the methods.
 */
export const METHODS = {
  lookup: { input: LookupInput, output: LookupOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'identify a patient and show flags, policy, eligibility and cap' },
  search: { input: SearchInput, output: SearchOutput, surfaces: SCREEN, summary: 'search the catalog by code, barcode, name or pinyin initials' },
  quote: { input: QuoteInput, output: QuoteOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'compute the fund/patient split of a sale without settling it' },
  settle: { input: SettleInput, output: SettlementView, surfaces: PLUGIN_AND_SCREEN, summary: 'settle a sale: committed locally at once and queued for upload' },
  reverse: { input: ReverseInput, output: SettlementView, surfaces: PLUGIN_AND_SCREEN, summary: 'return a whole sale or some of its lines (a new reversing record)' },
  outboxStatus: { input: EmptyInput, output: OutboxStatusOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'how many settlements are uploaded, waiting, or need attention' },
  attention: { input: EmptyInput, output: AttentionOutput, surfaces: SCREEN, summary: 'settlements that need the operator, with what to do' },
  retryUpload: { input: RetryUploadInput, output: OutboxStatusOutput, surfaces: SCREEN, summary: 'put a settlement whose upload gave up back in line (an unknown outcome is resolved first)' },
  findSettlements: { input: FindSettlementsInput, output: FindSettlementsOutput, surfaces: SCREEN, summary: 'find settlements by receipt number, patient or date' },
  getSettlement: { input: GetSettlementInput, output: SettlementView, surfaces: PLUGIN_AND_SCREEN, summary: 'one settlement as recorded' },
  overrideBlock: { input: OverrideInput, output: OverrideOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'record an authorised override of a supervision block (pharmacist or administrator, written reason); the next settle of the sale uses it' },
  returnPreview: { input: ReturnPreviewInput, output: ReturnPreviewOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'what a return would refund, per payment method, before it is confirmed (writes nothing)' },
  holdSale: { input: HoldSaleInput, output: HeldSaleView, surfaces: SCREEN, summary: 'put a sale in progress aside (挂单); kept across restarts' },
  heldSales: { input: EmptyInput, output: HeldSalesOutput, surfaces: SCREEN, summary: 'the sales put aside, oldest first' },
  recallSale: { input: RecallSaleInput, output: RecallSaleOutput, surfaces: SCREEN, summary: 'take a held sale back (取单): removed from the list at once, settled with its own requestId' },
  shiftStatement: { input: ShiftStatementInput, output: ShiftStatementOutput, surfaces: SCREEN, summary: 'the signed-in operator\'s shift statement (交班单) since the start of the day, with its print' },
  closeDay: { input: CloseDayInput, output: CloseDayOutput, surfaces: SCREEN, summary: 'day close: the 3201 reconciliation with the platform, its result in Chinese' },
  report: { input: ReportInput, output: ReportOutput, surfaces: SCREEN, summary: 'a bureau report for a month: HTML with its chart, CSV, XLSX or JSON (signed-in operators)' },
  print: { input: PrintInput, output: PrintOutput, surfaces: SCREEN, summary: 'render a receipt, prescription, drug list or public list as HTML' },
  operators: { input: EmptyInput, output: OperatorsOutput, surfaces: SCREEN, summary: 'operators who may sign in' },
  createOperator: { input: CreateOperatorInput, output: OperatorView, surfaces: ADMIN, bootstrap: true, summary: 'add an operator (administrators only; the very first operator, an administrator, needs no session)' },
  signIn: { input: SignInInput, output: SignInOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'sign an operator in; every settlement records the session\'s operator' },
  changePin: { input: ChangePinInput, output: OkOutput, surfaces: SCREEN, summary: 'the signed-in operator changes their own PIN (the current PIN is asked again)' },
  operatorAccounts: { input: SignOutInput, output: OperatorAccountsOutput, surfaces: ADMIN, summary: 'every operator with whether they may sign in (administrators only)' },
  setOperatorActive: { input: SetOperatorActiveInput, output: OkOutput, surfaces: ADMIN, summary: 'disable or re-enable an operator (administrators only; never oneself or the last administrator)' },
  signOut: { input: SignOutInput, output: OkOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'end a session' },
  getSettings: { input: EmptyInput, output: SettingsOutput, surfaces: SCREEN, summary: 'institution, policy, platform and printer settings' },
  setStaffCode: { input: SetStaffCodeInput, output: StaffCodeOutput, surfaces: ADMIN, summary: "set an operator's national doctor/pharmacist code and department (administrators only)" },
  saveSettings: { input: SaveSettingsInput, output: SettingsOutput, surfaces: ADMIN, summary: 'change settings, the platform endpoint included (administrators only)' },
  file: { input: FileInput, output: FileOutput, surfaces: SCREEN, summary: 'file a patient at the counter (new, change such as a new condition, stop); queued for upload' },
  filingOffer: { input: FilingOfferInput, output: FilingOfferOutput, surfaces: SCREEN, summary: 'for someone not on the roster: file here now, or put them on the candidates list' },
  addCandidate: { input: AddCandidateInput, output: CandidateView, surfaces: SCREEN, summary: 'put someone buying two-disease drugs on the candidates list for the health commission to verify' },
  candidates: { input: CandidatesInput, output: CandidatesOutput, surfaces: SCREEN, summary: 'the candidates list, personal data masked, as CSV for the health commission' },
  cashSale: { input: CashSaleInput, output: CashSaleOutput, surfaces: PLUGIN_AND_SCREEN, summary: 'a self-pay sale, or an out-of-area patient: paying here with a claim receipt, or settled through the platform where the region says it settles 异地 directly' },
  stockCompliance: { input: StockComplianceInput, output: StockComplianceOutput, surfaces: SCREEN, summary: 'VBP two-disease drugs and drug classes this institution stocks against the minimum' },
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof METHODS;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];
export type MethodInput<M extends MethodName> = z.input<(typeof METHODS)[M]['input']>;
export type MethodArgs<M extends MethodName> = z.output<(typeof METHODS)[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<(typeof METHODS)[M]['output']>;

type SurfacesOf<M extends MethodName> = (typeof METHODS)[M]['surfaces'][number];
/** Methods the host POS may call with the plugin token. */
export type PluginMethod = { [M in MethodName]: 'plugin' extends SurfacesOf<M> ? M : never }[MethodName];
/** Methods the counter screen may call (IPC, browser shell): its own and the administrator's. */
export type ScreenMethod = { [M in MethodName]: 'screen' extends SurfacesOf<M> ? M : 'admin' extends SurfacesOf<M> ? M : never }[MethodName];

/** Whether a caller with this credential may call the method at all (an admin method also needs an admin session). */
export function openTo(method: MethodName, caller: Caller): boolean {
  const s: readonly Surface[] = METHODS[method].surfaces;
  return caller === 'plugin' ? s.includes('plugin') : s.includes('screen') || s.includes('admin');
}

/** Whether the method needs an administrator's session whoever calls it. */
export function needsAdmin(method: MethodName): boolean {
  return (METHODS[method].surfaces as readonly Surface[]).includes('admin');
}

export const PLUGIN_METHODS = METHOD_NAMES.filter((m) => openTo(m, 'plugin')) as PluginMethod[];
/** The screen's methods: exactly the Electron IPC channels and the browser bridge's functions. */
export const SCREEN_METHODS = METHOD_NAMES.filter((m) => openTo(m, 'screen')) as ScreenMethod[];

/** The one bridge the screen sees: the same method names over Electron IPC and in the browser shell (HTTP). */
export type CounterApi = { [M in ScreenMethod]: (input: MethodInput<M>) => Promise<MethodOutput<M>> };

export const INSURANCE_ZH = { resident: '城乡居民医保', employee: '职工医保' } as const;
export const CONDITION_ZH = { hypertension: '高血压', diabetes: '糖尿病' } as const;
export const OUTBOX_STATE_ZH: Record<string, string> = {
  pending: '待上传',
  sending: '上传中',
  acked: '已上传',
  rejected: '平台拒绝',
  ambiguous: '结果未知',
  dead: '多次失败',
  local: '本地撤销',
};
