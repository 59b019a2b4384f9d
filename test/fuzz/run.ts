// `npm run fuzz`: every property file in test/fuzz (*.fuzz.ts) run longer than in `npm test`.
// FUZZ_RUNS (default 2000) cases per property, FUZZ_SEED (default: a new one, printed) to
// replay. Add a target by adding a *.fuzz.ts file here (node:test tests that take their
// run count and seed from fuzzParams in ./params.ts) and importing it from a test/unit or
// test/store file so its fixed-seed run stays in the suite.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(join(ROOT, 'test/fuzz'))
  .filter((f) => f.endsWith('.fuzz.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort()
  .map((f) => join('test/fuzz', f));
const runs = process.env.FUZZ_RUNS ?? '2000';
const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
process.stdout.write(`fuzz: ${files.length} file(s), FUZZ_RUNS=${runs} FUZZ_SEED=${seed}\n`);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed } });
if (r.status !== 0) process.stdout.write(`fuzz failed; replay with FUZZ_SEED=${seed} FUZZ_RUNS=${runs} npm run fuzz\n`);
process.exit(r.status ?? 1);
