// Local-data commands: `import roster|catalog FILE`, `lookup INPUT`, `search TEXT`,
// `settings get|set`, `demo seed`. Every one takes --data DIR (else LBC_DATA_DIR, else the
// platform's user-data folder); JSON on stdout, errors as JSON on stderr (core/cli/io.ts).
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../config/paths.ts';
import { InputError } from '../../contract/problems.ts';
import { openDatabase, type DB } from '../../store/db.ts';
import { importCatalogFile } from '../../import/catalog.ts';
import { importRosterFile } from '../../import/roster.ts';
import { loadMapping } from '../../import/mapping.ts';
import type { ImportOptions, ImportReport, Progress } from '../../import/engine.ts';
import { searchCatalog } from '../../store/catalog.ts';
import { allSettings, getInstitution, INSTITUTION_KEYS, institutionFields, setInstitution } from '../../store/settings.ts';
import { lookupPatient } from '../../patient/index.ts';
import { loadPolicyBook } from '../../policy/index.ts';
import { serviceDate } from '../../clock/index.ts';
import { seedDemoData } from '../../demo/seed.ts';
import { parseOrThrow } from '../../contract/problems.ts';
import { METHODS } from '../../service/contract.ts';
import { EXIT_BAD_INPUT, EXIT_OK, type CliIO, type Command } from '../io.ts';

function usage(message: string, messageZh: string): InputError {
  return new InputError('USAGE', message, messageZh, [{ path: 'args', code: 'USAGE', message, messageZh }]);
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options: { data: { type: 'string' }, ...options }, allowPositionals: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    throw usage((e as Error).message, '命令参数有误');
  }
}

function withDb<T>(dataFlag: string | undefined, fn: (db: DB) => T): T {
  const db = openDatabase(resolveDataDir(dataFlag));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const out = (io: CliIO, value: unknown) => io.stdout(JSON.stringify(value, null, 2) + '\n');

/** rows/s and ETA on the terminal, one line redrawn; nothing when stderr is not a terminal. */
function progressPrinter(io: CliIO): ((p: Progress) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (p) => {
    const rate = p.elapsedMs > 0 ? (p.rows / p.elapsedMs) * 1000 : 0;
    const eta = p.fraction > 0 ? ((p.elapsedMs / p.fraction) * (1 - p.fraction)) / 1000 : 0;
    io.stderr(`\r${(p.fraction * 100).toFixed(0).padStart(3)}%  ${p.rows.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s  ETA ${eta.toFixed(1)} s   `);
  };
}

export const importCommand: Command = {
  name: 'import',
  usage: 'import roster|catalog FILE [--data DIR] [--encoding gbk] [--mapping FILE] [--strict] [--parallel|--single-thread]',
  summary: 'import a bureau roster or drug catalog (CSV or JSON, UTF-8 or GBK); idempotent upsert',
  async run(args, io) {
    const { values, positionals } = parse(args, { encoding: { type: 'string' }, mapping: { type: 'string' }, strict: { type: 'boolean' }, format: { type: 'string' }, parallel: { type: 'boolean' }, 'single-thread': { type: 'boolean' } });
    const [kind, file] = positionals;
    if ((kind !== 'roster' && kind !== 'catalog') || !file) throw usage('usage: import roster|catalog FILE [--data DIR] [--encoding gbk] [--mapping FILE] [--strict]', '用法：import roster|catalog 文件');
    const format = values.format as string | undefined;
    if (format !== undefined && format !== 'csv' && format !== 'json') throw usage('--format is csv or json', '--format 只能是 csv 或 json');
    const options: ImportOptions = {
      strict: Boolean(values.strict),
      // Neither flag: a large first roster load uses a second core (core/import/parallel.ts).
      ...(values.parallel ? { parallel: true } : values['single-thread'] ? { parallel: false } : {}),
      onProgress: progressPrinter(io),
      ...(values.encoding ? { encoding: values.encoding as string } : {}),
      ...(values.mapping ? { mapping: loadMapping(values.mapping as string) } : {}),
      ...(format ? { format } : {}),
    };
    const report: ImportReport = withDb(values.data as string | undefined, (db) => (kind === 'roster' ? importRosterFile(db, file, options) : importCatalogFile(db, file, options)));
    if (io.isTTY) io.stderr('\n');
    out(io, { file, ...report });
    // --strict with a bad row wrote nothing: that is a refusal of the input.
    return report.rolledBack ? EXIT_BAD_INPUT : EXIT_OK;
  },
};

export const lookupCommand: Command = {
  name: 'lookup',
  usage: 'lookup INPUT [--data DIR] [--date yyyy-MM-dd] [--reveal]',
  summary: 'find a patient by 人员编号, ID number, card record or e-voucher token: flags, policy, eligibility, cap',
  async run(args, io) {
    const { values, positionals } = parse(args, { date: { type: 'string' }, reveal: { type: 'boolean' }, 'policy-dir': { type: 'string' } });
    const input = positionals.join(' ');
    if (input.trim() === '') throw usage('usage: lookup INPUT [--data DIR] [--date yyyy-MM-dd]', '用法：lookup 证件号或人员编号');
    // The lookup method's own input schema (core/service/contract.ts) checks what was typed and the date.
    const asked = parseOrThrow(METHODS.lookup.input, { input, ...(values.date !== undefined ? { date: values.date } : {}) });
    const book = loadPolicyBook(values['policy-dir'] as string | undefined);
    out(io, withDb(values.data as string | undefined, (db) => lookupPatient(db, book, asked.input, asked.date ?? serviceDate(), { reveal: Boolean(values.reveal) })));
    return EXIT_OK;
  },
};

export const searchCommand: Command = {
  name: 'search',
  usage: 'search TEXT [--data DIR] [--limit N] [--region CODE]',
  summary: 'search the drug catalog by national code, own code, barcode, name or pinyin initials (aldp)',
  async run(args, io) {
    const { values, positionals } = parse(args, { limit: { type: 'string' }, region: { type: 'string' } });
    const text = positionals.join(' ');
    if (text.trim() === '') throw usage('usage: search TEXT [--data DIR] [--limit N]', '用法：search 关键字');
    // The search method's own input schema (core/service/contract.ts): the text and the limit (1 to 50).
    const asked = parseOrThrow(METHODS.search.input, { text, ...(values.limit !== undefined ? { limit: Number(values.limit) } : {}) });
    const hits = withDb(values.data as string | undefined, (db) => {
      const region = (values.region as string | undefined) ?? getInstitution(db)?.region;
      return searchCatalog(db, asked.text, { limit: asked.limit, ...(region ? { region } : {}) });
    });
    out(io, { text: asked.text, count: hits.length, hits });
    return EXIT_OK;
  },
};

export const settingsCommand: Command = {
  name: 'settings',
  usage: `settings get [KEY] | settings set KEY VALUE [KEY VALUE…] [--data DIR]   (keys: ${INSTITUTION_KEYS.join(', ')})`,
  summary: 'show or change the institution settings (code, name, type, level, policy, region, platform endpoint)',
  async run(args, io) {
    const { values, positionals } = parse(args, {});
    const [action, ...rest] = positionals;
    const data = values.data as string | undefined;
    if (action === 'get') {
      const result = withDb(data, (db) => {
        const fields = institutionFields(db);
        if (rest.length === 0) return { institution: fields, complete: getInstitution(db) !== null, all: allSettings(db) };
        const key = rest[0]!;
        if (!(INSTITUTION_KEYS as readonly string[]).includes(key)) throw usage(`unknown setting ${key}; known: ${INSTITUTION_KEYS.join(', ')}`, `未知的配置项 ${key}`);
        return { [key]: fields[key as keyof typeof fields] ?? null };
      });
      out(io, result);
      return EXIT_OK;
    }
    if (action === 'set') {
      if (rest.length === 0 || rest.length % 2 !== 0) throw usage('usage: settings set KEY VALUE [KEY VALUE…]', '用法：settings set 配置项 值');
      const changes: Record<string, unknown> = {};
      for (let i = 0; i < rest.length; i += 2) changes[rest[i]!] = rest[i + 1] === '' || rest[i + 1] === 'null' ? null : rest[i + 1];
      const result = withDb(data, (db) => {
        setInstitution(db, changes);
        return { institution: institutionFields(db), complete: getInstitution(db) !== null };
      });
      out(io, result);
      return EXIT_OK;
    }
    throw usage('usage: settings get [KEY] | settings set KEY VALUE', '用法：settings get | settings set');
  },
};

export const demoCommand: Command = {
  name: 'demo',
  usage: 'demo seed [--data DIR] [--region lincang|chongqing|kunming|ezhou|dazhou]',
  summary: 'load the demo catalog (seed 000 附件2, demo prices) and demo roster; sets a demo institution if none',
  async run(args, io) {
    const { values, positionals } = parse(args, { region: { type: 'string' } });
    if (positionals[0] !== 'seed') throw usage('usage: demo seed [--data DIR]', '用法：demo seed');
    const report = withDb(values.data as string | undefined, (db) => seedDemoData(db, values.region ? { region: values.region as string } : {}));
    const brief = (r: ImportReport) => ({ inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected, rejections: r.rejections });
    out(io, { catalog: brief(report.catalog), roster: brief(report.roster), institutionSet: report.institutionSet });
    return EXIT_OK;
  },
};

export const DATA_COMMANDS: Command[] = [importCommand, lookupCommand, searchCommand, settingsCommand, demoCommand];
