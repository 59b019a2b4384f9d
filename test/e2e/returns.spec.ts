// A partial return at the 1024×768 counter (issue 12 item 4): one of three boxes goes back, the
// amounts per line and per payment method are confirmed first, the 退费凭证 prints with the
// returned quantity; a second return of more than is left is refused, then the rest of the line
// goes back and the line can be returned no further. And the defect the issue reproduced: a sale
// of 30 days returned in full no longer blocks the same drug (it said 剩余30天用药量). Screenshots
// under test-results/e2e.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCounterProcess, type CounterProcess } from './counter-server.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { expectFits, scan, signIn } from './ui.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `returns-${name}.png`) });
const L = FIXTURE_REGIONS.lincang;
const fen = (text: string) => Math.round(Number(text.replace(/[¥,\s]/g, '')) * 100);

/** Keeps every document the browser shell prints (its print frames live for a second). */
async function watchPrints(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __prints: string[] };
    w.__prints = [];
    new MutationObserver((ms) => ms.forEach((m) => m.addedNodes.forEach((n) => n instanceof HTMLIFrameElement && w.__prints.push(n.srcdoc)))).observe(document.body, { childList: true });
  });
}
const printed = (page: Page) => page.evaluate(() => (window as unknown as { __prints: string[] }).__prints);

test.describe.serial('returns at the counter', () => {
  let c: CounterProcess;
  test.beforeAll(async () => {
    c = await startCounterProcess('lincang');
  });
  test.afterAll(async () => {
    await c?.stop();
  });

  test('one box of three back with its voucher; more than is left refused; the rest back; then nothing more', async ({ page, browser }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await signIn(page, c);
    await scan(page, L.eligible);
    await expect(page.getByTestId('item-input')).toBeFocused();
    await scan(page, drugBarcode(3));
    await expect(page.getByTestId('line-0')).toBeVisible();
    await expect(page.getByTestId('item-input')).toHaveValue('');
    await scan(page, drugBarcode(1));
    await expect(page.getByTestId('line-1')).toBeVisible();
    await expect(page.getByTestId('item-input')).toHaveValue('');
    await expect(page.getByTestId('total')).toHaveText('¥38.80');
    await page.getByTestId('qty-0').fill('3');
    // 3 × 缬沙坦 32.50 + 氨氯地平 6.30
    await expect(page.getByTestId('total')).toHaveText('¥103.80');
    await page.getByTestId('pay-wechat').check();
    await page.keyboard.press('F12');
    await expect(page.getByTestId('last-receipt')).not.toBeEmpty();
    const receipt = (await page.getByTestId('last-receipt').textContent())!;

    await page.getByTestId('tab-returns').click();
    await page.getByTestId('returns-search').fill(receipt);
    await page.keyboard.press('Enter');
    const detail = page.getByTestId('return-detail');
    await expect(detail).toContainText(receipt);
    await expect(page.getByTestId('return-left-0')).toHaveText('3');
    await expect(page.getByTestId('return-qty-0')).toBeDisabled();
    await detail.getByRole('checkbox').first().check();
    await expect(page.getByTestId('return-qty-0')).toHaveValue('3');
    await page.getByTestId('return-qty-0').fill('1');
    await page.getByTestId('return-reason').fill('多拿了一盒');
    await page.getByTestId('return-confirm').click();
    const preview = page.getByTestId('return-preview');
    await expect(preview).toContainText('缬沙坦胶囊 退回 1（退后尚余 2）');
    await expect(preview).toContainText('退回微信');
    const amount = fen((await page.getByTestId('return-amount').textContent())!);
    const fund = fen((await page.getByTestId('return-fund').textContent())!);
    // One box of 32.50: what the fund and the patient get back is the box's price, to the fen.
    expect(amount + fund).toBe(3250);
    expect(amount).toBeGreaterThan(0);
    await expectFits(page, 'return confirmation at 1024');
    await shot(page, '01-partial-confirm-1024x768');

    await watchPrints(page);
    await page.getByTestId('return-final').click();
    await expect(page.getByTestId('returns-message')).toContainText('部分退费');
    await expect(page.getByTestId('returns-message')).toContainText(`微信 ¥${(amount / 100).toFixed(2)}`);
    await expect.poll(async () => (await printed(page)).join('\n')).toContain('退费凭证');
    const voucher = (await printed(page)).find((d) => d.includes('退费凭证'))!;
    expect(voucher).toContain('退回数量');
    expect(voucher).toContain('多拿了一盒');
    expect(voucher).toContain('退款方式');
    expect(voucher).toContain('微信');
    await shot(page, '02-partial-done-1024x768');
    // The voucher itself, as printed.
    const paper = await browser.newPage({ viewport: { width: 420, height: 700 } });
    await paper.setContent(voucher);
    await expect(paper.locator('body')).toContainText('1 × 32.50');
    await paper.screenshot({ path: join(SHOTS, 'returns-03-voucher.png'), fullPage: true });
    await paper.close();

    // The same sale again: two boxes left; three are refused, nothing is written.
    await page.getByTestId('returns-list').getByText(receipt).click();
    await expect(page.getByTestId('return-left-0')).toHaveText('2');
    await expect(page.getByTestId('returns-list')).toContainText('部分退费');
    await detail.getByRole('checkbox').first().check();
    await expect(page.getByTestId('return-qty-0')).toHaveValue('2');
    await page.getByTestId('return-qty-0').fill('3');
    await page.getByTestId('return-reason').fill('再退');
    await page.getByTestId('return-confirm').click();
    await expect(page.getByTestId('returns-message')).toContainText('已退 1盒，最多还可退 2盒');
    await expect(page.getByTestId('return-preview')).toHaveCount(0);
    await shot(page, '04-beyond-refused-1024x768');

    // The two left: the line is then returned in full, its box disabled; the other line stays.
    await page.getByTestId('return-qty-0').fill('2');
    await page.getByTestId('return-confirm').click();
    await expect(page.getByTestId('return-preview')).toContainText('缬沙坦胶囊 退回 2：');
    await page.getByTestId('return-final').click();
    await expect(page.getByTestId('returns-message')).toContainText('部分退费');
    await page.getByTestId('returns-list').getByText(receipt).click();
    await expect(page.getByTestId('return-left-0')).toHaveText('已退完');
    await expect(detail.getByRole('checkbox').first()).toBeDisabled();
    await expect(page.getByTestId('return-left-1')).toHaveText('1');
    await expectFits(page, 'returns page at 1024');
    await shot(page, '05-line-returned-1024x768');
  });

  test('a full return frees the refill rule on screen: sold with 30 days, blocked again, returned, sold again', async ({ page }) => {
    await signIn(page, c);
    const ring = async () => {
      await expect(page.getByTestId('patient-input')).toBeFocused();
      await scan(page, L.eligible);
      await expect(page.getByTestId('item-input')).toBeFocused();
      await scan(page, drugBarcode(2));
      await expect(page.getByTestId('line-0')).toBeVisible();
      await page.getByTestId('days-0').fill('30');
      await expect(page.getByTestId('total-fund')).not.toHaveText('—');
    };
    await ring();
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    const receipt = (await page.getByTestId('last-receipt').textContent())!;
    // The same drug again: its 30 days are still covered, so it is blocked.
    await ring();
    await expect(page.getByTestId('supply-blocked')).toBeVisible();
    await expect(page.getByTestId('confirm')).toBeDisabled();
    await page.locator('body').press('Escape');
    await expect(page.getByTestId('discard-dialog')).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('line-0')).toHaveCount(0);
    // Returned in full …
    await page.getByTestId('tab-returns').click();
    await page.getByTestId('returns-search').fill(receipt);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('return-detail')).toContainText(receipt);
    await page.getByTestId('return-all').click();
    await page.getByTestId('return-reason').fill('患者退药');
    await page.getByTestId('return-confirm').click();
    await page.getByTestId('return-final').click();
    await expect(page.getByTestId('returns-message')).toContainText('全额冲销');
    // … the same drug sells again at once.
    await page.getByTestId('tab-counter').click();
    await page.getByTestId('patient-input').focus();
    await ring();
    await expect(page.getByTestId('supply-blocked')).toHaveCount(0);
    await expect(page.getByTestId('confirm')).toBeEnabled();
    await shot(page, '06-resold-after-full-return');
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
  });
});
