// The whole counter flow in the browser shell, once per region: sign in, scan a patient, add a
// line by search and one by barcode, see the split, confirm with one key, watch the outbox,
// print the receipt and the continuous prescription to PDF. Screenshots under test-results/e2e.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCounterProcess, type CounterProcess } from './counter-server.ts';
import { scan, signIn } from './ui.ts';
import { FIXTURE_REGIONS, drugBarcode, type RegionId } from '../../core/app/fixture.ts';
import { PRESCRIPTION_NOTES, PRESCRIPTION_CONSENT } from '../../core/print/templates.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/**
 * The fund share of one 氨氯地平片 (6.30) + one 二甲双胍片 (4.80), both listed, VBP, priced at
 * their payment standard, at a level-1 institution, per region:
 *  lincang   seed 000 §二.(二).3: 集采中选药品 90%            → 11.10 × 0.9 = 9.99
 *  chongqing seed 001 §二: 一级/二级 集采药品 100% (二类对象)  → 11.10
 *  kunming   seed 002 §四.(一): 一级医疗机构 90%               → 9.99
 *  ezhou     seed 003 §二.(一).3: 职工 60%                     → 6.66
 *  dazhou    seed 004 sets no rate: the site file's 50%        → 5.55
 */
const EXPECTED_FUND: Record<RegionId, string> = { lincang: '9.99', chongqing: '11.10', kunming: '9.99', ezhou: '6.66', dazhou: '5.55' };

for (const region of Object.keys(FIXTURE_REGIONS) as RegionId[]) {
  test.describe(`region ${region}`, () => {
    let c: CounterProcess;
    test.beforeAll(async () => {
      c = await startCounterProcess(region);
    });
    test.afterAll(async () => {
      await c?.stop();
    });

    test(`${region}: scan, search, barcode, split, confirm, upload, print`, async ({ page }) => {
      const f = FIXTURE_REGIONS[region];
      await signIn(page, c);
      await shot(page, `${region}-01-signed-in`);

      // 1. The patient.
      await scan(page, f.eligible);
      const panel = page.getByTestId('patient-panel');
      await expect(panel.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
      await expect(page.getByTestId('patient-name')).toHaveText(/^.\*+.?$/); // masked
      await expect(panel).not.toContainText(f.eligible); // the ID number never appears in full
      await expect(panel.getByTestId('policy')).toContainText(region === 'dazhou' ? '达州' : '');
      await expect(page.getByTestId('item-input')).toBeFocused();
      await shot(page, `${region}-02-patient`);

      // 2. A line by search (name), chosen with Enter from the list.
      await page.getByTestId('item-input').pressSequentially('氨氯', { delay: 120 });
      await expect(page.getByTestId('search-results')).toContainText('氨氯地平片');
      await shot(page, `${region}-03-search`);
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('line-0')).toContainText('氨氯地平片');

      // 3. A line by barcode (wedge scan).
      await scan(page, drugBarcode(2));
      await expect(page.getByTestId('line-1')).toContainText('二甲双胍片');
      await expect(page.getByTestId('line-0')).toContainText('集采');

      // 4. The split, live.
      await expect(page.getByTestId('total')).toHaveText('¥11.10');
      await expect(page.getByTestId('total-fund')).toHaveText(`¥${EXPECTED_FUND[region]}`);
      await shot(page, `${region}-04-split`);
      // Quantity changes re-split at once.
      await page.getByTestId('qty-0').fill('2');
      await expect(page.getByTestId('total')).toHaveText('¥17.40');
      await page.getByTestId('qty-0').fill('1');
      await expect(page.getByTestId('total')).toHaveText('¥11.10');

      // 5. Continuous prescription facts, then confirm with one key.
      await page.getByTestId('rx-on').check();
      if (f.institution.type === 'pharmacy') {
        // A pharmacy dispenses on another institution's prescription: who prescribed, at which level.
        await page.getByTestId('rx-inst-name').fill('梁子湖区人民医院');
        await page.getByTestId('rx-inst-code').fill('H42070200002');
        await page.getByTestId('rx-inst-level').selectOption('2');
      }
      await page.getByTestId('rx-doctor').fill('刘医生');
      await page.getByTestId('rx-consent').check();
      await page.keyboard.press('F12');
      await expect(page.getByTestId('message')).toContainText('已结算');
      const receiptNo = (await page.getByTestId('last-receipt').textContent())!.trim();
      expect(receiptNo).toMatch(/^S\d{8}\d+/);
      await expect(page.getByTestId('patient-input')).toBeFocused(); // ready for the next patient
      await expect(page.getByTestId('lines')).toContainText('先扫描患者');
      await shot(page, `${region}-05-settled`);

      // 6. The outbox drains to the simulator.
      if (c.platform.startsWith('http')) {
        await expect(page.getByTestId('outbox-summary')).toHaveText('全部已上传', { timeout: 15_000 });
        await expect(page.getByTestId('platform')).toHaveAttribute('data-reachable', 'true');
      } else {
        await expect(page.getByTestId('outbox-summary')).toHaveText('1 笔待上传');
      }
      await shot(page, `${region}-06-outbox`);

      // 7. Receipt and continuous prescription to PDF, from the stored record.
      const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('lbc.session')!).session as string);
      const settlementId = await page.evaluate(async (no) => (await window.counter!.findSettlements({ text: no })).items[0]!.id, receiptNo);
      for (const doc of ['receipt', 'prescription'] as const) {
        const out = await page.evaluate(async (a) => window.counter!.print({ session: a.session, document: a.doc, settlementId: a.id, layout: 'a5' }), { session, doc, id: settlementId });
        const pdfPage = await page.context().newPage();
        await pdfPage.setContent(out.html);
        if (doc === 'prescription') {
          for (const note of PRESCRIPTION_NOTES) await expect(pdfPage.locator('body')).toContainText(note);
          await expect(pdfPage.locator('body')).toContainText(PRESCRIPTION_CONSENT);
          await expect(pdfPage.locator('section.copy')).toHaveCount(2);
          await expect(pdfPage.locator('body')).toContainText('刘医生');
        } else {
          await expect(pdfPage.locator('body')).toContainText(receiptNo);
          await expect(pdfPage.locator('body')).toContainText(`${EXPECTED_FUND[region]} 元`);
        }
        const file = join(SHOTS, `${region}-07-${doc}.pdf`);
        writeFileSync(file, await pdfPage.pdf({ width: `${out.pageSize.widthMm}mm`, height: `${out.pageSize.heightMm}mm`, printBackground: true }));
        expect(statSync(file).size).toBeGreaterThan(5000);
        await pdfPage.screenshot({ path: join(SHOTS, `${region}-07-${doc}.png`), fullPage: true });
        await pdfPage.close();
      }
      // The receipt on an 80 mm roll: the page is 80 mm wide and as long as the content.
      const roll = await page.evaluate(async (a) => window.counter!.print({ session: a.session, document: 'receipt', settlementId: a.id, layout: '80mm' }), { session, id: settlementId });
      expect(roll.pageSize).toEqual({ widthMm: 80, heightMm: null });
      expect(roll.copy).toBe(3); // 1: automatically after F12, 2: the A5 copy above, 3: this one
      const rollPage = await page.context().newPage();
      await rollPage.setContent(roll.html);
      await expect(rollPage.locator('body')).toContainText('补打');
      const heightPx = await rollPage.evaluate(() => document.documentElement.scrollHeight);
      writeFileSync(join(SHOTS, `${region}-08-receipt-80mm.pdf`), await rollPage.pdf({ width: '80mm', height: `${Math.ceil((heightPx * 25.4) / 96) + 10}mm`, printBackground: true }));
      await rollPage.close();
    });
  });
}
