// `cli call METHOD`: any method of the handler map (core/service/contract.ts), dispatched through
// CounterService.call exactly as HTTP and IPC are: the method's own schema checks the input (a bad
// field is refused in English, naming it), an admin method needs an administrator's session, and
// the answer printed is the method's output schema's JSON. `cli methods` lists the map.
//
// The CLI is run by whoever holds the data directory (the database itself, owner-only), which is
// more than either credential of the service grants, so every method of the map is open to it;
// the sessions the methods ask for still come from a real sign-in (--operator, PIN in LBC_PIN).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../config/paths.ts';
import { InputError } from '../../contract/problems.ts';
import { CounterService } from '../../service/index.ts';
import { METHODS, METHOD_NAMES } from '../../service/contract.ts';
import { openDatabase } from '../../store/db.ts';
import { acquireLock } from '../../store/lock.ts';
import { EXIT_OK, parseJson, type CliIO, type Command } from '../io.ts';
import { inputFields, methodLines, requireMethod, takesSession } from '../methods.ts';

/** Where the operator's PIN comes from: an environment variable, never a flag (flags show in `ps`). */
export const PIN_ENV = 'LBC_PIN';

function usage(message: string, messageZh: string, path = 'args'): InputError {
  return new InputError('USAGE', message, messageZh, [{ path, code: 'USAGE', message, messageZh }]);
}

async function readBody(values: { json?: string | undefined; input?: string | undefined }, io: CliIO): Promise<unknown> {
  if (values.json !== undefined && values.input !== undefined) throw usage('give the body with --json or --input, not both', '请只用 --json 或 --input 之一提供请求内容');
  if (values.json !== undefined) return parseJson(values.json, '--json');
  if (values.input === '-') return parseJson(await io.readStdin(), 'the body on standard input');
  if (values.input !== undefined) {
    let text: string;
    try {
      text = readFileSync(values.input, 'utf8');
    } catch (e) {
      throw usage(`cannot read --input ${values.input}: ${(e as Error).message}`, `无法读取文件 ${values.input}`, 'input');
    }
    return parseJson(text, `--input ${values.input}`);
  }
  return {};
}

export const callCommand: Command = {
  name: 'call',
  usage: `call METHOD --data DIR [--json BODY | --input FILE|-] [--operator ID]   (PIN in ${PIN_ENV})`,
  summary: 'call any method of the service (`methods` lists them): its schema checks the body, its output is printed',
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { data: { type: 'string' }, json: { type: 'string' }, input: { type: 'string' }, operator: { type: 'string' } } });
    } catch (e) {
      throw usage((e as Error).message, '命令参数有误');
    }
    const { values, positionals } = parsed;
    if (positionals.length > 1) throw usage(`one METHOD, got ${positionals.length} arguments`, '只能指定一个接口');
    const method = requireMethod(positionals[0]);
    const body = await readBody(values, io);
    if (values.operator !== undefined && !process.env[PIN_ENV]) throw usage(`--operator ${values.operator}: put the operator's PIN in the environment variable ${PIN_ENV}`, `请在环境变量 ${PIN_ENV} 中提供操作员密码`, 'operator');

    const dir = resolveDataDir(values.data);
    const lock = acquireLock(dir, `call ${method}`);
    try {
      const db = openDatabase(dir);
      try {
        const ctx = { source: 'cli' };
        const service = new CounterService({ db, log: (l) => io.stderr(l + '\n'), ...(io.now ? { now: io.now } : {}), ...(io.ids ? { ids: io.ids } : {}) });
        let session: string | null = null;
        if (values.operator !== undefined) session = (await service.call('signIn', { operatorId: values.operator, pin: process.env[PIN_ENV] }, ctx)).session;
        try {
          const input = session && takesSession(method) && body && typeof body === 'object' && !Array.isArray(body) && !('session' in body) ? { ...body, session } : body;
          const result = await service.call(method, input, ctx);
          // What the contract promises, nothing more: the output schema's JSON.
          const out = METHODS[method].output.safeParse(result);
          if (!out.success) throw new Error(`${method} answered outside its output schema: ${out.error.message}`);
          io.stdout(JSON.stringify(out.data, null, 2) + '\n');
        } finally {
          if (session) await service.call('signOut', { session }, ctx);
        }
      } finally {
        db.close();
      }
    } finally {
      lock.release();
    }
    return EXIT_OK;
  },
};

export const methodsCommand: Command = {
  name: 'methods',
  usage: 'methods [--json]',
  summary: 'the service methods `call` reaches: name, who may call it, what it does (--json: with input fields)',
  async run(args, io) {
    let json = false;
    try {
      json = Boolean(parseArgs({ args, options: { json: { type: 'boolean' } } }).values.json);
    } catch (e) {
      throw usage((e as Error).message, '命令参数有误');
    }
    if (json) {
      const items = METHOD_NAMES.map((name) => ({ name, surfaces: [...METHODS[name].surfaces], summary: METHODS[name].summary, fields: inputFields(name), session: takesSession(name) }));
      io.stdout(JSON.stringify({ items }, null, 2) + '\n');
    } else io.stdout(methodLines().join('\n') + '\n');
    return EXIT_OK;
  },
};

export const METHOD_COMMANDS: Command[] = [callCommand, methodsCommand];
