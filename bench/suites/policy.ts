// Quotes per second for a 5-line sale on one core: the engine alone, and with request validation.
import { loadPolicyBook, quote, quoteRaw } from '../../core/policy/index.ts';
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
    log(`5-line sale, one core, ${seconds}s each (target ≥ 50,000 quotes/s)`);
    return { quotes_per_s_engine: round(engine, 0), quotes_per_s_with_validation: round(validated, 0) };
  },
};
