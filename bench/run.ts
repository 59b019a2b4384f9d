// `npm run bench [-- --json] [-- --quick] [-- --only NAME]`: prints every figure; with --json the
// last line is one JSON object holding them all. Each printed figure carries the 1-minute load average. Never part of `npm test`.
import { loadavg } from 'node:os';
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
    // The 1-minute load average beside every figure: on a shared machine a figure means little without it.
    log(`${suite.name}.${key}: ${value} (load ${loadavg()[0]!.toFixed(2)})`);
  }
}
if (values.json) log(JSON.stringify(figures));
