// `npm run bench [-- --json] [-- --quick] [-- --only NAME]`: prints every figure; with --json the
// last line is one JSON object holding them all. Each printed figure carries the 1-minute load average. Never part of `npm test`.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SUITES } from './suites/index.ts';

const USAGE = `usage: npm run bench [-- --json] [-- --quick] [-- --only SUITE ...]
suites: ${SUITES.map((s) => s.name).join(', ')}`;

let values: { json?: boolean; quick?: boolean; only?: string[]; help?: boolean };
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, only: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
const unknown = (values.only ?? []).filter((n) => !SUITES.some((s) => s.name === n));
if (unknown.length > 0) {
  process.stderr.write(`unknown suite: ${unknown.join(', ')}\n${USAGE}\n`);
  process.exit(2);
}

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
