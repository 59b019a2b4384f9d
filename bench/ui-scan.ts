// Scan-to-split on screen with a 1,000,000-patient roster, measured in Debian Chromium through
// Playwright against the real browser shell and service (not part of `npm test`).
// The clock runs inside the page: from the scanner's Enter keydown to the DOM showing the
// result (patient panel, or the split of the scanned line), so Playwright's own latency is out.
//   node --import tsx bench/ui-scan.ts [--patients N] [--samples N]
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../core/store/db.ts';
import { importRosterText } from '../core/import/roster.ts';
import { ROSTER_HEADER, rosterCsvRows, rosterCertno } from '../core/import/synthetic.ts';
import { drugBarcode, seedFixture } from '../core/app/fixture.ts';
import { startCounter } from '../core/app/counter.ts';
import { percentile, round } from './harness.ts';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface ScanBenchResult {
  patients: number;
  rosterImportMs: number;
  scanToPanelP50: number;
  scanToPanelP95: number;
  scanToSplitP50: number;
  scanToSplitP95: number;
  samples: number;
}

export async function measureScanToSplit(o: { patients: number; samples: number; log: (s: string) => void }): Promise<ScanBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-bench-ui-'));
  try {
    const db = openDatabase(dir);
    const t0 = performance.now();
    const CHUNK = 200_000;
    for (let from = 0; from < o.patients; from += CHUNK) {
      importRosterText(db, `${ROSTER_HEADER}\n${rosterCsvRows(from, Math.min(o.patients, from + CHUNK))}`);
    }
    const rosterImportMs = performance.now() - t0;
    o.log(`ui: roster of ${o.patients} patients imported in ${Math.round(rosterImportMs)} ms`);
    seedFixture(db, 'lincang');
    db.close();

    const counter = await startCounter({ dataDir: dir, uploader: null });
    const browser = await chromium.launch({ executablePath: process.env.LBC_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(`${counter.url}/#code=${counter.screenCode()}`);
      await page.getByTestId('op-yaoshi').click();
      await page.getByTestId('pin').fill('1234');
      await page.keyboard.press('Enter');
      await page.getByTestId('patient-input').waitFor();
      // In-page clocks: Enter keydown (capture) → the watched element's text becomes ready.
      await page.evaluate(() => {
        const w = window as unknown as { __t0: number; __marks: Record<string, number> };
        w.__marks = {};
        window.addEventListener('keydown', (e) => e.key === 'Enter' && (w.__t0 = performance.now()), true);
        new MutationObserver(() => {
          const name = document.querySelector('[data-testid="patient-name"]');
          if (name && !w.__marks.panel) w.__marks.panel = performance.now() - w.__t0;
          const fund = document.querySelector('[data-testid="fund-0"]');
          if (fund && /¥/.test(fund.textContent ?? '') && !w.__marks.split) w.__marks.split = performance.now() - w.__t0;
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      const panel: number[] = [];
      const split: number[] = [];
      const barcode = drugBarcode(1);
      for (let s = 0; s < o.samples + 3; s++) {
        const i = Math.floor(((s * 7919) % 1000) / 1000 * o.patients) + (s % 97);
        const certno = rosterCertno(Math.min(i, o.patients - 1));
        await page.keyboard.press('Escape');
        await page.evaluate(() => ((window as unknown as { __marks: Record<string, number> }).__marks = {}));
        await page.getByTestId('patient-input').focus();
        await page.keyboard.type(certno, { delay: 0 });
        await page.keyboard.press('Enter');
        await page.getByTestId('patient-name').waitFor();
        await page.getByTestId('item-input').focus();
        await page.keyboard.type(barcode, { delay: 0 });
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => Boolean((window as unknown as { __marks: Record<string, number> }).__marks.split));
        const marks = await page.evaluate(() => (window as unknown as { __marks: Record<string, number> }).__marks);
        if (s >= 3) {
          // The first few warm the caches and the JIT; a counter runs all day.
          panel.push(marks.panel!);
          split.push(marks.split!);
        }
      }
      return {
        patients: o.patients,
        rosterImportMs: round(rosterImportMs, 0),
        scanToPanelP50: round(percentile(panel, 50), 1),
        scanToPanelP95: round(percentile(panel, 95), 1),
        scanToSplitP50: round(percentile(split, 50), 1),
        scanToSplitP95: round(percentile(split, 95), 1),
        samples: split.length,
      };
    } finally {
      await browser.close();
      await counter.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { patients: { type: 'string', default: '1000000' }, samples: { type: 'string', default: '60' } } });
  measureScanToSplit({ patients: Number(values.patients), samples: Number(values.samples), log: (s) => process.stderr.write(s + '\n') }).then(
    (r) => {
      process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      process.stdout.write(`scan-to-split p95 ${r.scanToSplitP95} ms (target < 100 ms) with ${r.patients} patients\n`);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
