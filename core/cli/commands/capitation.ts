// `cli capitation --month YYYY-MM | --year YYYY [--institution CODE] [--policy ID] [--data DIR]`
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../config/paths.ts';
import { openDatabase } from '../../store/db.ts';
import { InputError } from '../../contract/problems.ts';
import { capitationStatement, capitationYear } from '../../capitation/index.ts';
import { getSetting } from '../../store/settings.ts';
import { EXIT_OK, type Command } from '../io.ts';

export const capitationCommand: Command = {
  name: 'capitation',
  usage: 'capitation --month YYYY-MM | --year YYYY [--institution CODE] [--policy ID] [--data DIR]',
  summary: 'the monthly capitation statement (made once, then returned as stored) or the year-end summary',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { month: { type: 'string' }, year: { type: 'string' }, institution: { type: 'string' }, policy: { type: 'string' }, data: { type: 'string' } } });
    if (!values.month === !values.year) {
      throw new InputError('INVALID_ARGUMENT', 'give --month YYYY-MM or --year YYYY', '请用 --month 或 --year 指定期间', [{ path: 'month', code: 'INVALID_ARGUMENT', message: 'one of --month, --year', messageZh: '二选一' }]);
    }
    const db = openDatabase(resolveDataDir(values.data));
    try {
      const institution = values.institution ?? getSetting(db, 'institution.code');
      const policy = values.policy ?? getSetting(db, 'institution.policy');
      if (!institution || !policy) {
        throw new InputError('SETTINGS_MISSING', 'set institution.code and institution.policy (or pass --institution and --policy)', '请先配置本机构编码和地区政策', [
          { path: institution ? 'policy' : 'institution', code: 'REQUIRED', message: 'not set', messageZh: '未设置' },
        ]);
      }
      const out = values.month ? capitationStatement(db, { institution, month: values.month, policy }) : capitationYear(db, institution, values.year!);
      io.stdout(JSON.stringify(out, null, 2) + '\n');
    } finally {
      db.close();
    }
    return EXIT_OK;
  },
};
