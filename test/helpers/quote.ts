// Builders for quote requests in tests: a valid default sale, overridden field by field.
import { QuoteRequestSchema, type QuoteRequest, type QuoteRequestInput } from '../../core/contract/quote.ts';
import { loadPolicyBook, quote } from '../../core/policy/index.ts';
import type { QuoteResult } from '../../core/contract/quote.ts';

export const book = loadPolicyBook(undefined);

type LineInput = QuoteRequestInput['lines'][number];

export function line(over: Partial<LineInput> = {}): LineInput {
  return { id: 'a', kind: 'drug', listed: true, vbp: false, price: '10.00', quantity: 1, ...over };
}

export function request(over: Partial<Omit<QuoteRequestInput, 'patient' | 'institution'>> & {
  patient?: Partial<QuoteRequestInput['patient']>;
  institution?: Partial<QuoteRequestInput['institution']>;
} = {}): QuoteRequestInput {
  const { patient, institution, ...rest } = over;
  return {
    policy: 'lincang',
    date: '2024-08-01',
    usedThisYear: '0.00',
    lines: [line()],
    ...rest,
    institution: { type: 'clinic', level: 1, code: 'H53090100001', ...institution },
    patient: { insurance: 'resident', conditions: ['hypertension'], otherChronicDiseases: 0, chronicDiseaseSince: null, designatedInstitution: null, ...patient },
  };
}

export function parse(input: QuoteRequestInput): QuoteRequest {
  return QuoteRequestSchema.parse(input);
}

export function run(over: Parameters<typeof request>[0] = {}): QuoteResult {
  return quote(book, parse(request(over)));
}
