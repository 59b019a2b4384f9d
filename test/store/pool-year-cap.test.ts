// The year's pool whatever the order of entry (seed 000 §二.(二).3: the cap is a ceiling on the
// calendar year's fund payments, 高血压 600 元; seed 002 §五.(三): late entry 补录 is allowed):
// sales dated and entered in any order, reversals, uploads acknowledged and the bureau's figure
// imported among them, through the counter service on the demo data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { openDatabase, type DB } from '../../core/store/db.ts';
import { seedDemoData } from '../../core/demo/seed.ts';
import { seedOperators } from '../../core/app/fixture.ts';
import { CounterService } from '../../core/service/index.ts';
import { importRosterText } from '../../core/import/roster.ts';
import { getOutboxBySettlement, updateOutbox } from '../../core/store/outbox.ts';
import { addDays, serviceDate } from '../../core/clock/index.ts';
import { Decimal, fen } from '../../core/money/decimal.ts';

const PATIENT = '530902DM0101'; // 张桂英, hypertension only, resident, flagged 2024-08-20
const CAP = new Decimal(600); // seed 000 §二.(二).3: 高血压600元
const CAPTOPRIL = 'YP0039'; // 卡托普利, not VBP: 60% of the payment standard
const FIRST = '2024-08-20';
const LAST = '2025-12-31';

function counter(now: () => Date): { db: DB; s: CounterService } {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-pool-year-')));
  seedDemoData(db, { region: 'lincang' });
  seedOperators(db);
  return { db, s: new CounterService({ db, now }) };
}

const session = async (s: CounterService) => (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
const sale = (s: CounterService, sess: string, date: string, quantity: number, input = PATIENT) =>
  s.call('settle', { session: sess, requestId: crypto.randomUUID(), patient: input, date, lines: [{ code: CAPTOPRIL, quantity: String(quantity) }] });
const capView = async (s: CounterService, date: string, input = PATIENT) => (await s.call('lookup', { input, date })).patient!.cap!;
const used = async (s: CounterService, date: string, input = PATIENT) => (await capView(s, date, input)).used;

type Op =
  | { t: 'tick'; days: number; hour: number }
  | { t: 'sale'; back: number; quantity: number }
  | { t: 'reverse'; pick: number }
  | { t: 'ack'; pick: number }
  | { t: 'import'; back: number; others: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('tick' as const), days: fc.integer({ min: 1, max: 90 }), hour: fc.integer({ min: 0, max: 23 }) }),
  fc.record({ t: fc.constant('sale' as const), back: fc.integer({ min: 0, max: 200 }), quantity: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ t: fc.constant('sale' as const), back: fc.integer({ min: 0, max: 200 }), quantity: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ t: fc.constant('reverse' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ t: fc.constant('import' as const), back: fc.integer({ min: 1, max: 60 }), others: fc.integer({ min: 0, max: 25000 }) }),
);

// Every run has a reversal and a bureau import among its operations (at random places), and a back-dated sale before each.
const opsArb: fc.Arbitrary<Op[]> = fc
  .tuple(
    fc.array(opArb, { minLength: 5, maxLength: 26 }),
    fc.record({ t: fc.constant('reverse' as const), pick: fc.nat() }),
    fc.record({ t: fc.constant('import' as const), back: fc.integer({ min: 1, max: 60 }), others: fc.integer({ min: 0, max: 25000 }) }),
    fc.nat(),
    fc.nat(),
    fc.integer({ min: 1, max: 200 }),
  )
  .map(([ops, reverse, bureau, at1, at2, back]) => {
    const out = [...ops];
    out.splice(at1 % (out.length + 1), 0, { t: 'sale', back, quantity: 6 }, reverse);
    out.splice(at2 % (out.length + 1), 0, { t: 'sale', back, quantity: 6 }, bureau);
    return out;
  });

test('property (seed 000 §二.(二).3, seed 002 §五.(三)): fund paid per calendar year never exceeds the cap, in any order of dating and entry; lookup shows what the next sale uses', async () => {
  await fc.assert(
    fc.asyncProperty(opsArb, async (ops) => {
      let clock = new Date('2024-08-21T02:00:00Z');
      const { db, s } = counter(() => clock);
      const sess = await session(s);
      const today = () => serviceDate(clock);
      // The model: what was really paid, ours (per record) and other institutions' (per year).
      const records: { id: string; date: string; fund: Decimal; ackedOn: string | null; reversed: boolean; kind: 'sale' | 'reversal' }[] = [];
      const others = new Map<string, Decimal>();
      const paid = (year: string) =>
        records.filter((r) => r.date.startsWith(year)).reduce((a, r) => a.plus(r.fund), others.get(year) ?? new Decimal(0));
      try {
        for (const op of ops) {
          if (op.t === 'tick') {
            const next = addDays(today(), op.days);
            if (next > LAST) continue;
            clock = new Date(`${next}T${String(op.hour).padStart(2, '0')}:30:00+08:00`);
          } else if (op.t === 'sale') {
            const date = [addDays(today(), -op.back), FIRST].sort()[1]!;
            const shown = await capView(s, date);
            const q = await s.call('quote', { patient: PATIENT, date, lines: [{ code: CAPTOPRIL, quantity: String(op.quantity) }] });
            assert.equal(q.cap.before, shown.left, 'the quote starts from what lookup shows as left');
            assert.equal(fen(CAP.minus(paid(date.slice(0, 4)))), shown.left, 'and that is the cap less what the year has really paid');
            const r = await sale(s, sess, date, op.quantity);
            assert.equal(r.fund, q.fund, 'the sale pays what the quote said');
            records.push({ id: r.id, date, fund: new Decimal(r.fund), ackedOn: null, reversed: false, kind: 'sale' });
          } else if (op.t === 'reverse') {
            const open = records.filter((r) => r.kind === 'sale' && !r.reversed);
            if (open.length === 0) continue;
            const target = open[op.pick % open.length]!;
            const r = await s.call('reverse', { session: sess, settlementId: target.id, reason: '退药' });
            target.reversed = true;
            records.push({ id: r.id, date: target.date, fund: new Decimal(r.fund), ackedOn: null, reversed: false, kind: 'reversal' });
          } else if (op.t === 'ack') {
            // The platform acknowledges an upload now (only what is really waiting to go).
            const waiting = records.filter((r) => r.ackedOn === null && getOutboxBySettlement(db, r.id)!.status === 'pending');
            if (waiting.length === 0) continue;
            const target = waiting[op.pick % waiting.length]!;
            const row = getOutboxBySettlement(db, target.id)!;
            updateOutbox(db, row.id, { status: 'acked', acked_at: clock.toISOString() });
            target.ackedOn = today();
          } else {
            // The bureau pushes its figure as of a closed day (yesterday or before): what it had
            // acknowledged of ours by then, plus what other institutions paid (never more than the cap leaves).
            const asOf = [addDays(today(), -op.back), FIRST].sort()[1]!;
            const year = asOf.slice(0, 4);
            const room = CAP.minus(paid(year));
            const more = Decimal.min(new Decimal(op.others).dividedBy(100), Decimal.max(room, 0));
            others.set(year, (others.get(year) ?? new Decimal(0)).plus(more));
            const ours = records.filter((r) => r.date.startsWith(year) && r.ackedOn !== null && r.ackedOn <= asOf).reduce((a, r) => a.plus(r.fund), new Decimal(0));
            const figure = others.get(year)!.plus(ours);
            const rep = importRosterText(db, ['psn_no,pool_used,pool_used_as_of', `${PATIENT},${fen(figure)},${asOf}`].join('\n'));
            assert.equal(rep.rejected, 0);
          }
          for (const year of ['2024', '2025']) {
            const total = paid(year);
            assert.ok(total.lessThanOrEqualTo(CAP), `${year}: ${fen(total)} paid against a cap of 600`);
            const first = year === '2024' ? FIRST : '2025-01-01';
            assert.equal(await used(s, first), fen(total), `${year}: lookup on the year's first day shows all the year has paid`);
            assert.equal(await used(s, `${year}-12-31`), fen(total), `${year}: and the same on its last day`);
          }
        }
      } finally {
        db.close();
      }
    }),
    { numRuns: 30 },
  );
});

test('reproduction 1 (seed 002 §五.(三) 补录, seed 000 §二.(二).3): 530902DM0101, a sale dated 2024-09-15 takes the 600 cap; one entered later but dated 2024-09-01 gets nothing', async () => {
  const { s } = counter(() => new Date('2024-09-20T02:00:00Z'));
  const sess = await session(s);
  const first = await sale(s, sess, '2024-09-15', 30);
  assert.equal(first.fund, '600.00', 'thirty boxes of captopril at 60% are more than the cap: the cap pays');
  const late = await sale(s, sess, '2024-09-01', 2);
  assert.equal(late.fund, '0.00', 'the back-dated sale sees the 600 already paid in 2024');
  assert.equal(late.patientPays, late.total);
  assert.equal(await used(s, '2024-09-01'), '600.00');
  assert.equal(await used(s, '2024-12-31'), '600.00');
  assert.equal(await used(s, '2025-01-02'), '0.00', 'a new year starts from zero');
});

test('reproduction 1, bureau figure (seed 000 §二.(二).3): 530902DM0103, 650 reported as of 2025-06-30 counts on 2025-06-15 too; the 720 cap leaves 70', async () => {
  const { s } = counter(() => new Date('2025-07-02T02:00:00Z'));
  assert.equal(await used(s, '2025-06-15', '530902DM0103'), '650.00');
  const view = (await s.call('lookup', { input: '530902DM0103', date: '2025-06-15' })).patient!;
  assert.deepEqual(view.cap, { limit: '720.00', used: '650.00', left: '70.00' });
  const sess = await session(s);
  const r = await sale(s, sess, '2025-06-15', 30, '530902DM0103');
  assert.equal(r.fund, '70.00');
  assert.equal(await used(s, '2025-01-01', '530902DM0103'), '720.00');
  assert.equal(await used(s, '2024-12-31', '530902DM0103'), '0.00', 'the 2025 figure counts nothing in 2024');
});
