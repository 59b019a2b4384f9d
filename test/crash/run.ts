// npm run test:crash — CRASH_KILLS (default 200) SIGKILLs of settling/uploading counter processes.
import { crashLine, crashPassed, runCrash } from './crash-lib.ts';

const kills = Number(process.env.CRASH_KILLS ?? 200);
const report = await runCrash({ kills, seed: process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : undefined, log: (l) => process.stderr.write(l + '\n') });
process.stderr.write(JSON.stringify(report, null, 2) + '\n');
process.stdout.write(crashLine(report) + '\n');
if (!crashPassed(report)) {
  process.stdout.write(`crash: FAILED (phantom ${report.phantom}, totals agree ${report.totalsAgree}, chain ${report.chainOk ? 'ok' : 'BROKEN'})\n`);
  process.exitCode = 1;
}
