// A sale line's rate and what decided its amount (集采, level, class, over the payment standard,
// cap left), in the words core/policy/explain gives; the source document shows on hover.
import type { MethodOutput } from '../core/service/contract.ts';

type QuoteLine = MethodOutput<'quote'>['lines'][number];

/** The line's rate and what decided its amount, in the engine's words (core/policy/explain). */
export function LineWhy({ line, testId }: { line: QuoteLine; testId: string }) {
  const said = new Set(line.warnings.map((w) => w.message));
  const notes = line.explain.filter((n) => !said.has(n));
  return (
    <div className={line.covered ? 'why' : 'why none'} data-testid={testId} title={line.sourceZh ?? undefined}>
      <b>{line.rateZh}</b>
      {notes.length > 0 && `：${notes.join('；')}`}
    </div>
  );
}
