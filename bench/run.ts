// `npm run bench [-- --json] [-- --quick] [-- --only NAME]`: prints every figure; with --json the
// last line is one JSON object holding them all. Never part of `npm test`.
import { parseArgs } from 'node:util';
import { SUITES } from './suites/index.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, only: { type: 'string', multiple: true } },
});

const figures: Record<string, number> = {};
const log = (line: string) => process.stdout.write(line + '\n');
for (const suite of SUITES) {
  if (values.only && !values.only.includes(suite.name)) continue;
  log(`# ${suite.name}`);
  const result = await suite.run({ quick: Boolean(values.quick), log: (l) => log(`  ${l}`) });
  for (const [key, value] of Object.entries(result)) {
    figures[`${suite.name}.${key}`] = value;
    log(`${suite.name}.${key}: ${value}`);
  }
}
if (values.json) log(JSON.stringify(figures));
