// `cli supervision …`: the supply checks of a sale, overrides, and history from elsewhere.
//   supervision check [--policy ID] < sale.json          {psnNo, date, lines:[{id, code, quantity, dailyDose|days, genericName?, drugGroup?, packageSize?}]}
//                                                         (lines without genericName take name, class and package size from the catalog)
//   supervision override [--policy ID] < override.json   {sale, lineId, rule, reason, operator:{id, name, role}}
//   supervision import-history FILE.json                  [{psnNo, date, genericName, drugGroup?, days, institution?}]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../config/paths.ts';
import { openDatabase } from '../../store/db.ts';
import { loadPolicyBook } from '../../policy/index.ts';
import { InputError } from '../../contract/problems.ts';
import { importDispensingHistory, overrideBlock, superviseSale } from '../../supervision/index.ts';
import { superviseCounterSale } from '../../supervision/catalog.ts';
import { getSetting } from '../../store/settings.ts';
import { EXIT_OK, parseJson, type Command } from '../io.ts';

export const supervisionCommand: Command = {
  name: 'supervision',
  usage: 'supervision check|override|import-history …  [--policy ID] [--data DIR]',
  summary: 'days of supply, the per-prescription ceiling and the 15-day refill rule; overrides with a written reason',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { data: { type: 'string' }, policy: { type: 'string' }, 'policy-dir': { type: 'string' } } });
    const [sub, file] = positionals;
    const db = openDatabase(resolveDataDir(values.data));
    try {
      const policy = () => {
        const p = values.policy ?? getSetting(db, 'institution.policy');
        if (!p) throw new InputError('SETTINGS_MISSING', 'set institution.policy or pass --policy', '请配置地区政策或使用 --policy', [{ path: 'policy', code: 'REQUIRED', message: 'not set', messageZh: '未设置' }]);
        return p;
      };
      if (sub === 'check') {
        const sale = parseJson(await io.readStdin(), 'the sale on standard input') as { lines?: { genericName?: unknown }[] };
        const book = loadPolicyBook(values['policy-dir']);
        const named = Array.isArray(sale.lines) && sale.lines.every((l) => l && typeof l.genericName === 'string');
        const result = named ? superviseSale(db, book, { policy: policy(), ...sale } as never) : superviseCounterSale(db, book, { policy: policy(), ...sale } as never);
        io.stdout(JSON.stringify(result, null, 2) + '\n');
      } else if (sub === 'override') {
        const raw = parseJson(await io.readStdin(), 'the override on standard input') as { sale?: Record<string, unknown> };
        const row = overrideBlock(db, loadPolicyBook(values['policy-dir']), { ...raw, sale: { policy: policy(), ...(raw.sale ?? {}) } } as never);
        io.stdout(JSON.stringify(row, null, 2) + '\n');
      } else if (sub === 'import-history') {
        if (!file) throw new InputError('INVALID_ARGUMENT', 'give the history file', '请提供配药记录文件', [{ path: 'file', code: 'INVALID_ARGUMENT', message: 'missing', messageZh: '缺少文件' }]);
        io.stdout(JSON.stringify(importDispensingHistory(db, parseJson(readFileSync(file, 'utf8'), file))) + '\n');
      } else {
        throw new InputError('INVALID_ARGUMENT', 'supervision check|override|import-history', '子命令：check、override、import-history', [{ path: '', code: 'INVALID_ARGUMENT', message: 'unknown subcommand', messageZh: '未知子命令' }]);
      }
    } finally {
      db.close();
    }
    return EXIT_OK;
  },
};
