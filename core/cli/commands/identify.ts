// `cli identify INPUT`: what an input is (ID number, social-security card read, 医保码) and whether
// it is valid, as JSON. Invalid input is an answer, not an error: exit 0 with "valid": false.
import { parseArgs } from 'node:util';
import { identify } from '../../identity/index.ts';
import { isRealDate } from '../../contract/fields.ts';
import { InputError } from '../../contract/problems.ts';
import { EXIT_OK, type Command } from '../io.ts';

export const identifyCommand: Command = {
  name: 'identify',
  usage: 'identify INPUT [--today yyyy-MM-dd] [--mask]   (or INPUT on stdin with -)',
  summary: 'recognise an ID number, social-security card read or 医保电子凭证 code and check it',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { today: { type: 'string' }, mask: { type: 'boolean' } },
    });
    if (values.today !== undefined && !isRealDate(values.today)) {
      throw new InputError('INVALID_ARGUMENT', `--today must be a date yyyy-MM-dd, got ${JSON.stringify(values.today)}`, '--today 必须是 yyyy-MM-dd 格式的日期', [
        { path: 'today', code: 'INVALID_ARGUMENT', message: 'not a real date', messageZh: '不是有效日期' },
      ]);
    }
    if (positionals.length !== 1) {
      throw new InputError('INVALID_ARGUMENT', 'give exactly one INPUT (quote a card record: it contains "|"), or - to read it from stdin', '请提供一个输入（社保卡信息含"|"，请加引号）', [
        { path: 'input', code: 'INVALID_ARGUMENT', message: `expected 1 input, got ${positionals.length}`, messageZh: `应为1个输入，收到${positionals.length}个` },
      ]);
    }
    const raw = positionals[0] === '-' ? await io.readStdin() : positionals[0]!;
    const result = identify(raw, values.today ? { today: values.today } : {});
    // --mask: for screens and logs, the masked form only (no full number, no name).
    const out = values.mask
      ? { kind: result.kind, valid: result.valid, normalized: result.masked, problems: result.problems, ...(result.hint ? { hint: result.hint } : {}) }
      : result;
    io.stdout(JSON.stringify(out, null, 2) + '\n');
    return EXIT_OK;
  },
};
