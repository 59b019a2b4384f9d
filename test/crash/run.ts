// npm run test:crash — CRASH_KILLS (default 200) SIGKILLs of settling/uploading counter processes.
// Half the kills with unknown outcomes resolved by query, half by 2601 冲正 and resend.
import { combine, crashLine, crashPassed, runCrash } from './crash-lib.ts';

const kills = Number(process.env.CRASH_KILLS ?? 200);
const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : 20241124;
const log = (l: string) => process.stderr.write(l + '\n');
const half = Math.ceil(kills / 2);
const byQuery = await runCrash({ kills: half, seed, log, resolution: 'query' });
log(`query resolution: ${crashLine(byQuery)}`);
const byReversal = await runCrash({ kills: kills - half, seed: seed + 1, log, resolution: 'reverse' });
log(`2601 resolution: ${crashLine(byReversal)}`);
const report = combine(byQuery, byReversal);
process.stderr.write(JSON.stringify(report, null, 2) + '\n');
process.stdout.write(crashLine(report) + '\n');
if (!crashPassed(report)) {
  process.stdout.write(`crash: FAILED (phantom ${report.phantom}, totals agree ${report.totalsAgree}, chain ${report.chainOk ? 'ok' : 'BROKEN'})\n`);
  process.exitCode = 1;
}
