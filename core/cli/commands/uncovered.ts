// Sales and people the two-disease rules do not cover, and the stock the scheme asks for:
//   cash self-pay|out-of-area [--out FILE] [--operator ID --operator-name NAME] < sale.json
//        sale.json: {requestId, date?, patient? (roster code), person? {name, psnNo?, certno, insuredRegion, insurance, conditions}, lines:[{code, quantity}], reason?}
//        out-of-area where the region's platform settles 异地 directly (provinces.json outOfAreaDirect): a journal settlement queued for upload (person.psnNo required)
//        prints the record; --out writes the receipt (self-pay) or the 垫付 claim receipt (out-of-area) as HTML
//   candidates offer CERTNO              file here now, or put on the candidates list (seed 000 §二.(一).1/.2)
//   candidates add < person.json         {certno, name, conditions, drugs?}
//   candidates export [--out FILE]       the list, personal data masked, as CSV (UTF-8 with BOM)
//   stock compliance                     VBP two-disease drugs and classes stocked against the minimum (seed 000 §二.(三).6)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../config/paths.ts';
import { openDatabase } from '../../store/db.ts';
import { InputError, parseOrThrow } from '../../contract/problems.ts';
import { requireInstitution } from '../../store/settings.ts';
import { operatorById } from '../../store/counter.ts';
import { serviceDate } from '../../clock/index.ts';
import { METHODS } from '../../service/contract.ts';
import { cashSaleHere } from '../../service/cash.ts';
import { addCandidateHere, candidatesHere, offerFiling } from '../../service/filing.ts';
import { stockComplianceHere } from '../../service/stock.ts';
import { EXIT_OK, parseJson, type Command, type CliIO } from '../io.ts';

function usage(message: string, messageZh: string): InputError {
  return new InputError('INVALID_ARGUMENT', message, messageZh, [{ path: '', code: 'INVALID_ARGUMENT', message, messageZh }]);
}

const OPTIONS = { data: { type: 'string' }, out: { type: 'string' }, operator: { type: 'string', default: 'counter' }, 'operator-name': { type: 'string', default: '柜台' } } as const;

function writeOut(io: CliIO, file: string | undefined, text: string): void {
  if (!file) return;
  writeFileSync(file, text, { mode: 0o600 }); // receipts and lists carry personal data: owner-only
  io.stderr(`written ${file}\n`);
}

export const cashCommand: Command = {
  name: 'cash',
  usage: 'cash self-pay|out-of-area [--out FILE] < sale.json  [--data DIR]',
  summary: 'a self-pay sale, or an out-of-area patient: a claim receipt, or through the platform where it settles 异地 directly',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS });
    const kind = positionals[0];
    if (kind !== 'self-pay' && kind !== 'out-of-area') throw usage('cash self-pay|out-of-area', '子命令：self-pay（自费）或 out-of-area（异地垫付）');
    const raw = parseJson(await io.readStdin(), 'the sale on standard input') as Record<string, unknown>;
    const db = openDatabase(resolveDataDir(values.data));
    try {
      const now = new Date();
      const input = parseOrThrow(METHODS.cashSale.input.omit({ session: true }), { ...raw, kind });
      // A registered operator settles with their role (an out-of-area sale the platform settles directly is then recorded with its request's hash).
      const registered = operatorById(db, values.operator!);
      const out = cashSaleHere(db, requireInstitution(db), input, { id: values.operator!, name: registered?.name ?? values['operator-name']!, role: registered?.role ?? null }, input.date ?? serviceDate(now), now);
      writeOut(io, values.out, out.html);
      const { html: _html, ...record } = out;
      io.stdout(JSON.stringify(record, null, 2) + '\n');
    } finally {
      db.close();
    }
    return EXIT_OK;
  },
};

export const candidatesCommand: Command = {
  name: 'candidates',
  usage: 'candidates offer CERTNO | add < person.json | export [--out FILE]  [--data DIR]',
  summary: 'people buying two-disease drugs who are not on the roster: the filing offer and the candidates list (masked CSV)',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS });
    const [sub, arg] = positionals;
    const db = openDatabase(resolveDataDir(values.data));
    try {
      const today = serviceDate(new Date());
      if (sub === 'offer') {
        if (!arg) throw usage('give the ID number', '请提供身份证号');
        io.stdout(JSON.stringify(offerFiling(db, parseOrThrow(METHODS.filingOffer.input, { certno: arg }).certno), null, 2) + '\n');
      } else if (sub === 'add') {
        const p = parseJson(await io.readStdin(), 'the person on standard input') as Record<string, unknown>;
        io.stdout(JSON.stringify(addCandidateHere(db, parseOrThrow(METHODS.addCandidate.input.omit({ session: true }), p), { id: values.operator! }, today), null, 2) + '\n');
      } else if (sub === 'export') {
        const out = candidatesHere(db, requireInstitution(db), today);
        writeOut(io, values.out, out.csv);
        if (!values.out) io.stdout(out.csv);
        else io.stdout(JSON.stringify({ rows: out.items.length, file: values.out }) + '\n');
      } else throw usage('candidates offer|add|export', '子命令：offer、add、export');
    } finally {
      db.close();
    }
    return EXIT_OK;
  },
};

export const stockCommand: Command = {
  name: 'stock',
  usage: 'stock compliance  [--data DIR]',
  summary: 'the VBP two-disease drugs and drug classes stocked against the minimum for this kind of institution',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS });
    if (positionals[0] !== 'compliance') throw usage('stock compliance', '子命令：compliance');
    const db = openDatabase(resolveDataDir(values.data));
    try {
      io.stdout(JSON.stringify(stockComplianceHere(db, requireInstitution(db)), null, 2) + '\n');
    } finally {
      db.close();
    }
    return EXIT_OK;
  },
};

export const UNCOVERED_COMMANDS = [cashCommand, candidatesCommand, stockCommand];
