// `cli report NAME --month YYYY-MM [--format json|csv|xlsx|html|pdf] [--out FILE] [--data DIR]`
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../config/paths.ts';
import { DB_FILE_NAME, openDatabase } from '../../store/db.ts';
import { InputError } from '../../contract/problems.ts';
import { buildReport, FORMATS, render, REPORT_NAMES, REPORT_SUMMARIES, type Format } from '../../reports/index.ts';
import { EXIT_OK, type Command } from '../io.ts';

function usageError(message: string, messageZh: string, path: string): InputError {
  return new InputError('INVALID_ARGUMENT', message, messageZh, [{ path, code: 'INVALID_ARGUMENT', message, messageZh }]);
}

export const reportCommand: Command = {
  name: 'report',
  usage: 'report NAME --month YYYY-MM [--format json|csv|xlsx|html|pdf] [--out FILE] [--data DIR] | report --list',
  summary: 'the bureau reports: monthly-residents, monthly-employees, people, statistics, variances, overrides, capitation',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { month: { type: 'string' }, format: { type: 'string', default: 'json' }, out: { type: 'string' }, data: { type: 'string' }, list: { type: 'boolean' } },
    });
    if (values.list) {
      io.stdout(REPORT_NAMES.map((n) => `${n.padEnd(20)} ${REPORT_SUMMARIES[n]}`).join('\n') + '\n');
      return EXIT_OK;
    }
    const name = positionals[0];
    if (!name) throw usageError(`name a report: ${REPORT_NAMES.join(', ')}`, '请指定报表名称', 'name');
    if (!values.month) throw usageError('--month YYYY-MM is required', '请用 --month 指定月份', 'month');
    const format = values.format as Format;
    if (!(FORMATS as readonly string[]).includes(format)) throw usageError(`--format must be one of ${FORMATS.join(', ')}`, `格式应为 ${FORMATS.join('、')} 之一`, 'format');
    if ((format === 'xlsx' || format === 'pdf') && !values.out) throw usageError(`${format} is binary: give --out FILE`, `${format} 为二进制格式，请用 --out 指定文件`, 'out');
    const dir = resolveDataDir(values.data);
    // A report reads what the counter recorded: where there is no database it says so, rather
    // than creating an empty one and printing an empty report as if the month had no sales.
    if (!existsSync(join(dir, DB_FILE_NAME))) {
      const how = values.data ? `--data ${dir}` : `the default data directory ${dir} (no --data given)`;
      throw new InputError(
        'NO_DATA',
        `no counter data in ${how}: give --data DIR with the counter's data directory (or set LBC_DATA_DIR)`,
        `${dir} 中没有柜台数据：请用 --data 指定柜台的数据目录`,
        [{ path: 'data', code: 'NO_DATA', message: `no ${DB_FILE_NAME} in ${dir}`, messageZh: `${dir} 中没有柜台数据库` }],
      );
    }
    const db = openDatabase(dir);
    try {
      const doc = buildReport(db, name, values.month);
      const bytes = await render(doc, format);
      if (values.out) {
        writeFileSync(values.out, bytes);
        io.stderr(`wrote ${values.out} (${bytes.length} bytes)\n`);
      } else io.stdout(bytes.toString('utf8'));
    } finally {
      db.close();
    }
    return EXIT_OK;
  },
};
