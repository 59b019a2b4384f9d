// Settlement commands: settle, reverse, upload, journal (+ verify), close-day, simulator.
// Writers take the data directory's single-instance lock; readers do not need it.
import { serviceDate, wallTime } from '../../clock/index.ts';
import { writeFileSync } from 'node:fs';
import { renderDayCloseStatement } from '../../print/templates.ts';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveDataDir } from '../../config/paths.ts';
import { InputError, parseOrThrow } from '../../contract/problems.ts';
import { QuoteRequestSchema } from '../../contract/quote.ts';
import { METHODS } from '../../service/contract.ts';
import { loadPolicyBook, quote } from '../../policy/index.ts';
import { openDatabase } from '../../store/db.ts';
import { listSettlements } from '../../store/journal.ts';
import { listVariances, statusCounts } from '../../store/outbox.ts';
import { requireInstitution } from '../../store/settings.ts';
import { operatorById } from '../../store/counter.ts';
import { readSettlement, saleRequestHash, settleSale } from '../../sale/index.ts';
import { settle } from '../../settlement/settle.ts';
import { reverse } from '../../settlement/reverse.ts';
import { verifyJournal } from '../../settlement/hash.ts';
import { toRecord, loadRecord } from '../../settlement/view.ts';
import { InstitutionForSettlementSchema, OperatorSchema, PatientForSettlementSchema, SettleLineSchema } from '../../settlement/contract.ts';
import { reviveDead } from '../../outbox/uploader.ts';
import { openWriter, platformEndpoint, withPlatform } from '../access.ts';
import { closeDay } from '../../outbox/dayclose.ts';
import { nextDueAt } from '../../store/outbox.ts';
import { startSimulator, FaultsSchema } from '../../simulator/index.ts';
import { EXIT_FAILURE, EXIT_OK, parseJson, type Command, type CliIO } from '../io.ts';

function print(io: CliIO, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2) + '\n');
}

/**
 * A sale by patient input and catalog codes (looked up in the local roster and catalog): the
 * service's own settle input (core/service/contract.ts METHODS.settle: patient, date, lines with
 * optional days of supply, the prescription), with who settles it named instead of a session, the
 * caller's request id, and the institution it is for. Strict: an unknown field is refused.
 */
const CounterSale = METHODS.settle.input.omit({ session: true, requestId: true, payment: true }).extend({
  operator: OperatorSchema,
  requestId: z.string().max(64).nullable().optional(),
  /** The institution the sale is for (its code, or {code}); it must be this data directory's. */
  institution: z.union([z.string(), z.object({ code: z.string() }).passthrough()]).optional(),
});

/** A sale with every fact given (scripts, tests): the split is still computed here, never taken from the input. */
const DirectSale = z.object({
  request: z.unknown(),
  patient: PatientForSettlementSchema,
  institution: InstitutionForSettlementSchema,
  operator: OperatorSchema,
  lines: z.array(SettleLineSchema).min(1),
  requestId: z.string().max(64).nullable().optional(),
});

export const settleCommand: Command = {
  name: 'settle',
  usage: 'settle --data DIR < sale.json',
  summary: 'settle a sale (patient input + catalog codes, or every fact) and queue it for upload',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' } } });
    const input = parseJson(await io.readStdin(), 'the sale on standard input') as Record<string, unknown>;
    const book = loadPolicyBook();
    const w = openWriter(values.data, 'settle');
    try {
      const now = io.now?.() ?? new Date();
      let rec;
      if (input && typeof input === 'object' && 'request' in input) {
        // Every fact given: the engine still computes the split; the pipeline's writer commits it.
        const d = parseOrThrow(DirectSale, input);
        const request = parseOrThrow(QuoteRequestSchema, d.request, ['request']);
        rec = settle(w.db, { requestId: d.requestId ?? null, request, result: quote(book, request), patient: d.patient, institution: d.institution, operator: d.operator, lines: d.lines }, { now, ids: io.ids });
      } else {
        const s = parseOrThrow(CounterSale, input);
        const inst = requireInstitution(w.db);
        const wanted = typeof s.institution === 'string' ? s.institution : s.institution?.code;
        if (wanted && wanted !== inst.code) {
          throw new InputError('WRONG_INSTITUTION', `This data directory belongs to institution ${inst.code}, not ${wanted}`, `该数据目录属于机构 ${inst.code}，不是 ${wanted}`, [
            { path: 'institution', code: 'WRONG_INSTITUTION', message: `configured institution is ${inst.code}`, messageZh: `本机构编号为 ${inst.code}` },
          ]);
        }
        // The same pipeline as the screen and the plugin API (core/sale): the same refusals (not
        // eligible, blocked by supervision, a reused requestId), the same journal record.
        const registered = operatorById(w.db, s.operator.id);
        if (s.prescription && !registered) {
          throw new InputError('OPERATOR_NOT_REGISTERED', `operator ${s.operator.id} is not registered at this counter: a sale's prescription is recorded with the registered operator who settled it`, `操作员 ${s.operator.id} 未在本柜台登记，无法记录处方信息`, [
            { path: 'operator.id', code: 'OPERATOR_NOT_REGISTERED', message: `operator ${s.operator.id} is not registered`, messageZh: '操作员未登记' },
          ]);
        }
        const { operator: _o, requestId, institution: _i, ...body } = s;
        const { id } = settleSale(w.db, book, { patient: s.patient, date: s.date ?? serviceDate(now), lines: s.lines, prescription: s.prescription ?? null }, {
          operator: { id: s.operator.id, name: s.operator.name, role: registered?.role ?? null },
          requestId: requestId ?? null,
          requestHash: saleRequestHash(body),
          now,
          ids: io.ids,
          institution: inst,
        });
        rec = readSettlement(w.db, id)!.record;
      }
      print(io, rec);
      return EXIT_OK;
    } finally {
      w.release();
    }
  },
};

export const reverseCommand: Command = {
  name: 'reverse',
  usage: 'reverse ID|RECEIPT --data DIR [--lines a,b:QTY] --reason TEXT [--operator ID --operator-name NAME]',
  summary: 'return a whole sale, some of its lines or a quantity of a line (line:QTY); a new reversing record, queued for upload',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { data: { type: 'string' }, lines: { type: 'string' }, reason: { type: 'string' }, operator: { type: 'string' }, 'operator-name': { type: 'string' } },
    });
    const ref = positionals[0];
    if (!ref) throw new InputError('ID_REQUIRED', 'give the settlement id or receipt number to reverse', '请指定要退费的结算单号');
    const w = openWriter(values.data, 'reverse');
    try {
      const row = listSettlements(w.db).find((s) => s.id === ref || s.receipt_no === ref);
      if (!row) throw new InputError('SETTLEMENT_NOT_FOUND', `No settlement ${ref}`, `找不到结算记录 ${ref}`);
      // The reverse method's own input schema (core/service/contract.ts), the operator named instead of a session.
      const asked = parseOrThrow(METHODS.reverse.input.omit({ session: true }), {
        settlementId: row.id,
        reason: values.reason ?? 'returned at the counter (cli)',
        // "b" returns all that is left of line b; "b:1" returns one package of it.
        ...(values.lines
          ? {
              lines: values.lines.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
                const at = s.lastIndexOf(':');
                return at > 0 ? { lineId: s.slice(0, at), quantity: s.slice(at + 1) } : s;
              }),
            }
          : {}),
      });
      const rec = reverse(w.db, {
        settlementId: asked.settlementId,
        lines: asked.lines ? asked.lines.map((l) => (typeof l === 'string' ? l : { line: l.lineId, quantity: l.quantity })) : null,
        operator: { id: values.operator ?? 'cli', name: values['operator-name'] ?? values.operator ?? 'cli' },
        reason: asked.reason,
      });
      print(io, rec);
      return EXIT_OK;
    } finally {
      w.release();
    }
  },
};

export const uploadCommand: Command = {
  name: 'upload',
  usage: 'upload --data DIR --endpoint URL [--once] [--retry-dead] [--timeout MS]',
  summary: 'drain the outbox to the platform and print counts by state',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { data: { type: 'string' }, endpoint: { type: 'string' }, once: { type: 'boolean' }, 'retry-dead': { type: 'boolean' }, timeout: { type: 'string' }, concurrency: { type: 'string' } },
    });
    const w = openWriter(values.data, 'upload');
    let stopping = false;
    const onSignal = () => {
      stopping = true;
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const endpoint = platformEndpoint(w.db, values.endpoint);
      if (values['retry-dead']) io.stderr(`revived ${reviveDead(w.db)} dead message(s)\n`);
      const opts = { endpoint, stderr: io.stderr, timeoutMs: values.timeout ? Number(values.timeout) : undefined, concurrency: values.concurrency ? Number(values.concurrency) : undefined };
      await withPlatform(w.db, opts, async ({ up }) => {
        let last = await up.drainOnce();
        while (!values.once && !stopping) {
          const c = statusCounts(w.db);
          if (c.pending + c.sending + c.ambiguous === 0) break;
          const due = nextDueAt(w.db);
          if (due === null) break; // only rows waiting on a predecessor that is dead or rejected remain
          await new Promise((r) => setTimeout(r, Math.max(50, Math.min(due - Date.now(), 5000))));
          last = await up.drainOnce();
        }
        print(io, { endpoint, last, counts: statusCounts(w.db) });
      });
      return EXIT_OK;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      w.release();
    }
  },
};

export const journalCommand: Command = {
  name: 'journal',
  usage: 'journal [verify|variances] --data DIR [--json] [--date D] [--from D --to D] [--limit N]',
  summary: 'list settlement records, verify the hash chain, or list platform variances',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { data: { type: 'string' }, json: { type: 'boolean' }, date: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } },
    });
    const db = openDatabase(resolveDataDir(values.data));
    try {
      const sub = positionals[0];
      if (sub === 'verify') {
        const r = verifyJournal(db);
        print(io, r);
        if (r.broken) io.stderr(`journal chain BROKEN at record ${r.broken.seq} (${r.broken.receiptNo}): ${r.broken.problem}\n`);
        for (const p of r.anchorProblems) io.stderr(`journal anchor: ${p}\n`);
        if (r.ok && r.lastAnchor) io.stderr(`last day-close anchor ${r.lastAnchor.date}: record ${r.lastAnchor.seq}, hash ${r.lastAnchor.hash.slice(0, 16)} (compare with the 日结 statement)\n`);
        if (!r.ok) io.stderr('结算日志校验失败\n');
        return r.ok ? EXIT_OK : EXIT_FAILURE;
      }
      if (sub === 'variances') {
        print(io, { items: listVariances(db, { from: values.from, to: values.to }) });
        return EXIT_OK;
      }
      if (sub) throw new InputError('UNKNOWN_SUBCOMMAND', `unknown journal subcommand ${JSON.stringify(sub)} (verify, variances)`, `未知的子命令 ${sub}`);
      const rows = listSettlements(db, { date: values.date, from: values.from, to: values.to, limit: values.limit ? Number(values.limit) : undefined });
      if (values.json) {
        print(io, { items: rows.map((r) => toRecord(db, r)), counts: statusCounts(db) });
        return EXIT_OK;
      }
      for (const r of rows) {
        const rec = loadRecord(db, r.id)!;
        io.stdout(
          `${rec.receiptNo}  ${rec.kind.padEnd(8)} ${rec.date}  ${rec.patient.psnNo}  total ${rec.total.padStart(9)}  fund ${rec.fund.padStart(9)}  patient ${rec.patientPays.padStart(9)}  ${rec.outbox?.status ?? '-'}${rec.variances.length ? `  variances ${rec.variances.length}` : ''}\n`,
        );
      }
      const c = statusCounts(db);
      io.stdout(`${rows.length} record(s); outbox ${Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
      return EXIT_OK;
    } finally {
      db.close();
    }
  },
};

export const closeDayCommand: Command = {
  name: 'close-day',
  usage: 'close-day --date D --data DIR [--endpoint URL] [--statement FILE.html]',
  summary: 'run the 3201 total reconciliation for a day (refused while the day has messages not acked)',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' }, date: { type: 'string' }, endpoint: { type: 'string' }, timeout: { type: 'string' }, statement: { type: 'string' } } });
    if (!values.date) throw new InputError('DATE_REQUIRED', 'give --date yyyy-MM-dd', '请指定日结日期 --date');
    // The closeDay method's own date field (core/service/contract.ts).
    parseOrThrow(METHODS.closeDay.input.pick({ date: true }), { date: values.date });
    const w = openWriter(values.data, 'close-day');
    try {
      const r = await closeDay(w.db, { date: values.date, endpoint: platformEndpoint(w.db, values.endpoint), timeoutMs: values.timeout ? Number(values.timeout) : undefined });
      print(io, r);
      io.stderr(`journal anchor for ${r.date}: record ${r.anchor.seq}, hash ${r.anchor.hash} (printed on the statement)\n`);
      if (values.statement) {
        const inst = requireInstitution(w.db);
        const typeZh = inst.type === 'pharmacy' ? '定点零售药店' : '定点医疗机构';
        writeFileSync(values.statement, renderDayCloseStatement({ code: inst.code, name: inst.name, typeZh }, r, 'a5', wallTime(new Date())).html, { mode: 0o600 });
      }
      return r.balanced ? EXIT_OK : EXIT_FAILURE;
    } finally {
      w.release();
    }
  },
};

export const simulatorCommand: Command = {
  name: 'simulator',
  usage: 'simulator --port N --data DIR [--faults JSON]',
  summary: 'run the national platform simulator on 127.0.0.1 (fault injection via --faults or POST /admin/faults)',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, data: { type: 'string' }, faults: { type: 'string' }, quiet: { type: 'boolean' } } });
    if (!values.data) throw new InputError('DATA_REQUIRED', 'give --data DIR for the simulator database', '请指定模拟平台的数据目录 --data');
    const faults = values.faults ? parseOrThrow(FaultsSchema, parseJson(values.faults, '--faults')) : undefined;
    const sim = await startSimulator({ port: values.port ? Number(values.port) : 0, dataDir: values.data, faults, log: values.quiet ? undefined : (l) => io.stderr(l + '\n') });
    io.stdout(JSON.stringify({ url: sim.url, port: sim.port }) + '\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sim.close();
    return EXIT_OK;
  },
};

export const SETTLEMENT_COMMANDS: Command[] = [settleCommand, reverseCommand, uploadCommand, journalCommand, closeDayCommand, simulatorCommand];
