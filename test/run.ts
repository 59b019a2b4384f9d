// `npm test`: the node:test suites (pure core, then real SQLite files), then the browser shell in
// Debian Chromium through Playwright. Ends with one line CI reads: "N passed, N failed, N skipped".
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2); // e.g. `npm test -- unit store` runs those phases only

interface Tally { passed: number; failed: number; skipped: number }
const tally: Tally = { passed: 0, failed: 0, skipped: 0 };

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function testFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f));
}

async function nodeTests(): Promise<void> {
  const files = [...testFiles('test/unit'), ...testFiles('test/store')];
  const { code, output } = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files]);
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
  const passed = count('pass');
  const failed = count('fail') + count('cancelled');
  tally.passed += passed;
  tally.failed += failed;
  tally.skipped += count('skipped') + count('todo');
  if (code !== 0 && failed === 0) tally.failed += 1; // the runner itself failed
}

async function browserTests(): Promise<void> {
  const config = 'test/e2e/playwright.config.ts';
  if (!existsSync(join(ROOT, config))) return;
  mkdirSync(join(ROOT, 'test-results'), { recursive: true });
  const report = join(ROOT, 'test-results', 'e2e-report.json');
  const { code } = await run(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '-c', config, '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
  });
  if (!existsSync(report)) {
    tally.failed += 1;
    return;
  }
  const stats = JSON.parse(readFileSync(report, 'utf8')).stats as { expected: number; unexpected: number; skipped: number; flaky: number };
  tally.passed += stats.expected + stats.flaky;
  tally.failed += stats.unexpected;
  tally.skipped += stats.skipped;
  if (code !== 0 && stats.unexpected === 0) tally.failed += 1;
}

if (only.length === 0 || only.includes('unit') || only.includes('store')) await nodeTests();
if (only.length === 0 || only.includes('e2e')) await browserTests();
process.stdout.write(`\n${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped\n`);
process.exitCode = tally.failed > 0 ? 1 : 0;
