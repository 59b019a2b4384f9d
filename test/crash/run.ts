// npm run test:crash — CRASH_KILLS (default 200) SIGKILLs of settling/uploading counter processes:
// a third by workers resolving unknown outcomes by query, a third by workers resolving them by
// 2601 冲正 and resend, a third of the real counter settled over its HTTP API.
// LBC_TEST_FAULT=double-send|ghost-commit (core/config/test-fault.ts) must make it fail.
import { combineAll, crashFailures, crashLine, runCrash } from './crash-lib.ts';
import { TEST_FAULT_ENV, testFault } from '../../core/config/test-fault.ts';

const kills = Number(process.env.CRASH_KILLS ?? 200);
const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : 20241124;
const fault = testFault() ?? undefined;
// The fault goes to the counter processes only; this process is the checker.
delete process.env[TEST_FAULT_ENV];
const log = (l: string) => process.stderr.write(l + '\n');
const third = Math.ceil(kills / 3);
const byQuery = await runCrash({ kills: third, seed, log, resolution: 'query', fault });
log(`worker, query resolution: ${crashLine(byQuery)}`);
const byReversal = await runCrash({ kills: third, seed: seed + 1, log, resolution: 'reverse', fault });
log(`worker, 2601 resolution: ${crashLine(byReversal)}`);
const overHttp = await runCrash({ kills: kills - 2 * third, seed: seed + 2, log, resolution: 'query', via: 'http', fault });
log(`HTTP service: ${crashLine(overHttp)}`);
const report = combineAll([byQuery, byReversal, overHttp]);
process.stderr.write(JSON.stringify(report, null, 2) + '\n');
process.stdout.write(crashLine(report) + '\n');
const failures = crashFailures(report);
if (failures.length > 0) {
  process.stdout.write(`crash: FAILED\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.exitCode = 1;
}
