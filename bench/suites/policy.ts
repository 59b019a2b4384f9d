// Quotes per second for a 5-line sale on one core: the engine alone (exact integers), and with
// request validation; beside them the same engine with its arithmetic in decimal.js, and the bare
// decimal.js arithmetic of the split alone (parse, multiply, round, cap, format), the floor a
// decimal.js engine could reach.
import { loadavg } from 'node:os';
import { loadPolicyBook, quote, quoteRaw } from '../../core/policy/index.ts';
import { quoteWithVersionInDecimal } from '../../core/policy/engine.ts';
import { splitDecimal } from '../../core/policy/split.ts';
import { Decimal } from '../../core/money/decimal.ts';
import { QuoteRequestSchema } from '../../core/contract/quote.ts';
import type { BenchSuite } from '../harness.ts';
import { round } from '../harness.ts';

const REQUEST = {
  policy: 'lincang',
  date: '2024-08-01',
  institution: { type: 'clinic', level: 1 },
  patient: { insurance: 'resident', conditions: ['hypertension', 'diabetes'], otherChronicDiseases: 0 },
  usedThisYear: '650.00',
  lines: [
    { id: '1', kind: 'drug', listed: true, vbp: true, price: '0.153', paymentStandard: '0.15', quantity: 28 },
    { id: '2', kind: 'drug', listed: true, vbp: false, price: '35.5', paymentStandard: '30', quantity: 2 },
    { id: '3', kind: 'drug', listed: true, vbp: true, price: '12.345678', quantity: '1.5' },
    { id: '4', kind: 'drug', listed: false, vbp: false, price: '8.8', quantity: 3 },
    { id: '5', kind: 'drug', listed: true, vbp: false, price: '2.1', paymentStandard: '1.95', quantity: 60 },
  ],
};

function rate(fn: () => void, seconds: number): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  return n / (Number(elapsed) / 1e9);
}

export const policySuite: BenchSuite = {
  name: 'policy',
  async run({ quick, log }) {
    const book = loadPolicyBook(undefined);
    const parsed = QuoteRequestSchema.parse(REQUEST);
    const seconds = quick ? 0.5 : 2;
    const engine = rate(() => quote(book, parsed), seconds);
    const validated = rate(() => quoteRaw(book, REQUEST), seconds);
    const { policy, version } = book.resolve(parsed.policy, parsed.date);
    const inDecimal = rate(() => quoteWithVersionInDecimal(policy, version, parsed), seconds);
    // The split's arithmetic alone, in decimal.js, on the lines and rates the engine uses for this sale.
    const result = quote(book, parsed);
    const lines = parsed.lines.map((l, i) => ({ price: l.price, quantity: l.quantity, paymentStandard: l.paymentStandard ?? null, rate: result.lines[i]!.covered ? result.lines[i]!.rate : null }));
    const cap = result.cap.limit;
    const bare = rate(() => splitDecimal(lines, parsed.usedThisYear, new Decimal(cap)), seconds);
    log(
      `5-line sale, one core, ${seconds}s each: engine ${Math.round(engine).toLocaleString('en')} quotes/s (target ≥ 100,000); ` +
        `same engine in decimal.js ${Math.round(inDecimal).toLocaleString('en')}/s; bare decimal.js split arithmetic ${Math.round(bare).toLocaleString('en')}/s; load ${loadavg()[0]!.toFixed(2)}`,
    );
    return {
      quotes_per_s_engine: round(engine, 0),
      quotes_per_s_with_validation: round(validated, 0),
      quotes_per_s_engine_in_decimal: round(inDecimal, 0),
      quotes_per_s_bare_decimal_arithmetic: round(bare, 0),
    };
  },
};
