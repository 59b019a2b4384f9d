// The public face of core/policy: validate a raw request, then quote it.
import { QuoteRequestSchema, type QuoteResult } from '../contract/quote.ts';
import { parseOrThrow } from '../contract/problems.ts';
import { quote } from './engine.ts';
import type { PolicyBook } from './load.ts';

export { quote, quoteWithVersion, eligibilityReasons, policyCap } from './engine.ts';
export { loadPolicyBook, PolicyBook, parsePolicyFile, SITE_POLICY_ENV } from './load.ts';
export { REASONS, reason, type ReasonCode } from './reasons.ts';

/** Parse an untrusted request (CLI, HTTP, IPC) and quote it; throws InputError naming every bad field. */
export function quoteRaw(book: PolicyBook, raw: unknown): QuoteResult {
  return quote(book, parseOrThrow(QuoteRequestSchema, raw));
}
