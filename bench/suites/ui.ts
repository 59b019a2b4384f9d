// The counter screen: the production renderer bundle (gzipped, target < 500 KB) and scan-to-split
// on screen with a 1,000,000-patient roster (Playwright in Debian Chromium; target p95 < 100 ms).
// Set LBC_BENCH_UI_BROWSER=0 to report the bundle only (no Chromium on the machine).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BenchSuite } from '../harness.ts';
import { round } from '../harness.ts';
import { measureScanToSplit } from '../ui-scan.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'dist', 'renderer');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((f) => (f.isDirectory() ? files(join(dir, f.name)) : [join(dir, f.name)]));
}

export const uiSuite: BenchSuite = {
  name: 'ui',
  async run({ quick, log }) {
    // Always measure a fresh production build, never a stale one.
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
    let raw = 0;
    let gz = 0;
    for (const f of files(OUT).filter((p) => /\.(js|css|html)$/.test(p))) {
      const body = readFileSync(f);
      raw += statSync(f).size;
      gz += gzipSync(body, { level: 9 }).length;
    }
    log(`ui: renderer bundle ${round(raw / 1024, 1)} KB, ${round(gz / 1024, 1)} KB gzipped (target < 500 KB)`);
    const out: Record<string, number> = { renderer_bundle_kb: round(raw / 1024, 1), renderer_bundle_gzip_kb: round(gz / 1024, 1) };
    if (process.env.LBC_BENCH_UI_BROWSER === '0' || !existsSync(process.env.LBC_CHROMIUM ?? '/usr/bin/chromium')) {
      log('ui: Chromium absent or disabled: scan-to-split not measured');
      return out;
    }
    const patients = quick ? 100_000 : 1_000_000;
    const r = await measureScanToSplit({ patients, samples: quick ? 20 : 60, log });
    log(`ui: scan-to-split p95 ${r.scanToSplitP95} ms, patient scan-to-panel p95 ${r.scanToPanelP95} ms (${r.patients} patients, ${r.samples} samples)`);
    return {
      ...out,
      ui_roster_patients: r.patients,
      ui_scan_to_split_p50_ms: r.scanToSplitP50,
      ui_scan_to_split_p95_ms: r.scanToSplitP95,
      ui_scan_to_panel_p95_ms: r.scanToPanelP95,
    };
  },
};
