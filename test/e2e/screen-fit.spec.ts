// The counter on the two screens clinics have (1024×768 and 1366×768): nothing cut off (every
// visible button, input and select inside the viewport, no horizontal scroll, the institution's
// name still readable next to the upload pill), each line saying its rate and why, 无匹配 on a
// search with no hits, a part box refused, and Esc asking before it discards a sale that can
// then be restored once. Screenshots of both sizes under test-results/.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCounterProcess, type CounterProcess } from './counter-server.ts';
import { expectFits, scan, signIn } from './ui.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

const SIZES = [
  { width: 1024, height: 768 },
  { width: 1366, height: 768 },
] as const;

const LC = FIXTURE_REGIONS.lincang;

/** The institution's name keeps its room: wide enough to read, and not covered by the tabs beside it. */
async function expectInstitutionClear(page: Page) {
  const inst = (await page.getByTestId('institution').boundingBox())!;
  const tabs = (await page.getByTestId('tabs').boundingBox())!;
  expect(inst.width, 'the institution name keeps its room').toBeGreaterThan(120);
  expect(inst.x + inst.width, 'the institution name ends before the tabs begin').toBeLessThanOrEqual(tabs.x + 0.5);
}

/** Every one of the first n lines lies wholly inside the lines box: none scrolled away or cut at its edge. */
async function expectLinesWhole(page: Page, n: number) {
  const box = (await page.getByTestId('lines-box').boundingBox())!;
  for (let i = 0; i < n; i++) {
    const row = (await page.getByTestId(`line-${i}`).boundingBox())!;
    expect(row.y, `line ${i + 1} starts inside the lines box`).toBeGreaterThanOrEqual(box.y - 0.5);
    expect(row.y + row.height, `line ${i + 1} ends inside the lines box (box ends at ${Math.round(box.y + box.height)})`).toBeLessThanOrEqual(box.y + box.height + 0.5);
  }
}

/** Scans drug n's barcode and waits for its line (row i) and the cleared field before the next scan. */
async function addByScan(page: Page, i: number, n: number) {
  await scan(page, drugBarcode(n));
  await expect(page.getByTestId(`line-${i}`)).toBeVisible();
  await expect(page.getByTestId('item-input')).toHaveValue('');
}

test.describe('counter screen fit', () => {
  let c: CounterProcess;
  test.beforeAll(async () => {
    c = await startCounterProcess('lincang');
  });
  test.afterAll(async () => {
    await c?.stop();
  });

  for (const size of SIZES) {
    test(`${size.width}×${size.height}: a sale of four lines fits, each line says its rate and why`, async ({ page }) => {
      await page.setViewportSize(size);
      await signIn(page, c);
      await expectFits(page, 'signed in');
      await scan(page, LC.eligible);
      await expect(page.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
      await expect(page.getByTestId('item-input')).toBeFocused();
      for (const [i, n] of [1, 2, 3, 5].entries()) await addByScan(page, i, n);
      await expect(page.getByTestId('total')).not.toHaveText('—');
      // 氨氯地平片 is VBP: 90% under 临医保联发〔2024〕27号; 缬沙坦胶囊 (32.50 over a 28.00 standard) 60%, the rest the patient's.
      await expect(page.getByTestId('why-0')).toContainText('报销 90%');
      await expect(page.getByTestId('why-0')).toContainText('集采中选药品');
      await expect(page.getByTestId('why-0')).toContainText('年度限额剩余');
      await expect(page.getByTestId('why-2')).toContainText('报销 60%');
      await expect(page.getByTestId('why-2')).toContainText('超支付标准部分自付 ¥4.50');
      await expect(page.locator('body')).not.toContainText(/seed|§/);
      // The institution's name stays readable beside the upload pill.
      await expectInstitutionClear(page);
      await expectFits(page, 'four lines');
      await expectLinesWhole(page, 4);
      await page.screenshot({ path: join(SHOTS, `screen-${size.width}x${size.height}.png`) });

      // With the prescription box open and what is still missing showing, still nothing cut off, all four lines whole.
      await page.getByTestId('rx-on').check();
      await expectFits(page, 'prescription box open');
      await expectLinesWhole(page, 4);
      await page.screenshot({ path: join(SHOTS, `screen-${size.width}x${size.height}-prescription.png`) });
    });
  }

  test('无匹配 on a search with no hits; 1.5 boxes refused; Esc asks, discards, and the sale is restored once', async ({ page }) => {
    await signIn(page, c);
    await scan(page, LC.eligible);
    await expect(page.getByTestId('item-input')).toBeFocused();
    await page.getByTestId('item-input').pressSequentially('zzqqxx', { delay: 60 });
    await expect(page.getByTestId('search-results')).toContainText('无匹配');
    await page.getByTestId('item-input').press('Escape');
    await expect(page.getByTestId('search-results')).toHaveCount(0);

    await addByScan(page, 0, 1);
    await addByScan(page, 1, 2);
    await page.getByTestId('qty-0').fill('1.5');
    await expect(page.getByTestId('quote-error')).toContainText('不可拆零');
    await expect(page.getByTestId('confirm')).toBeDisabled();
    await page.getByTestId('qty-0').fill('2');
    await expect(page.getByTestId('quote-error')).toHaveCount(0);
    await expect(page.getByTestId('total')).toHaveText('¥17.40');

    // Esc asks first; Esc again keeps the sale.
    await page.locator('body').press('Escape');
    await expect(page.getByTestId('discard-dialog')).toBeVisible();
    await page.screenshot({ path: join(SHOTS, 'screen-esc-asks.png') });
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('discard-dialog')).toHaveCount(0);
    await expect(page.getByTestId('line-1')).toBeVisible();

    // Esc, then Enter: discarded; the restore brings back the patient and both lines, once.
    await page.locator('body').press('Escape');
    await expect(page.getByTestId('discard-dialog')).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('line-0')).toHaveCount(0);
    await expect(page.getByTestId('patient-panel')).toContainText('等待识别患者');
    await page.getByTestId('restore-sale').click();
    await expect(page.getByTestId('line-1')).toBeVisible();
    await expect(page.getByTestId('qty-0')).toHaveValue('2');
    await expect(page.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
    await expect(page.getByTestId('total')).toHaveText('¥17.40');
    await expect(page.getByTestId('restore-sale')).toHaveCount(0);
    await page.screenshot({ path: join(SHOTS, 'screen-restored.png') });
  });
});

test.describe('counter screen fit with sales waiting for upload', () => {
  let c: CounterProcess;
  test.beforeAll(async () => {
    // No platform: every sale settles at the counter and waits in the outbox, so the pill grows.
    c = await startCounterProcess('lincang', ['--no-simulator']);
  });
  test.afterAll(async () => {
    await c?.stop();
  });

  for (const size of SIZES) {
    test(`${size.width}×${size.height}: the upload pill says 待上传 and the institution name keeps its room`, async ({ page }) => {
      await page.setViewportSize(size);
      await signIn(page, c);
      await scan(page, LC.eligible);
      await expect(page.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
      await expect(page.getByTestId('item-input')).toBeFocused();
      await addByScan(page, 0, 1);
      await expect(page.getByTestId('total')).toHaveText('¥6.30');
      await page.keyboard.press('F12');
      await expect(page.getByTestId('message')).toContainText('已结算');
      await expect(page.getByTestId('outbox-summary')).toContainText('笔待上传');
      await expectInstitutionClear(page);
      await expectFits(page, 'after a sale waiting for upload');
      await page.screenshot({ path: join(SHOTS, `screen-${size.width}x${size.height}-waiting-upload.png`) });
    });
  }
});
