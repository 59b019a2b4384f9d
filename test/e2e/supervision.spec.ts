// Supervision at the counter and the reports on screen (issue 6), Lincang, a billing clerk's
// shift: a refill while 30 days are still covered is blocked (seed 003 附件3 注意2: 15 days or
// fewer left), the clerk cannot override it, the pharmacist authorises with a written reason
// and PIN, the sale settles, and the override and the sales show up in the reports (F7).
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { startCounterProcess, screenApi, type CounterProcess } from './counter-server.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { scan, signIn } from './ui.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `supervision-${name}.png`) });
const L = FIXTURE_REGIONS.lincang;
const REASON = '患者外出务工三个月，需带足用药';

test.describe.serial('supervision override and reports', () => {
  let c: CounterProcess;
  test.beforeAll(async () => {
    c = await startCounterProcess('lincang');
  });
  test.afterAll(async () => {
    await c?.stop();
  });

  async function sellWithDays(page: Page, days: string) {
    await expect(page.getByTestId('patient-input')).toBeFocused();
    await scan(page, L.eligible);
    await expect(page.getByTestId('item-input')).toBeFocused();
    await scan(page, drugBarcode(1));
    await expect(page.getByTestId('line-0')).toContainText('氨氯地平片');
    await page.getByTestId('days-0').fill(days);
  }

  test('a blocked refill: the clerk cannot override; the pharmacist authorises with a reason; the sale settles', async ({ page }) => {
    await signIn(page, c, 'shoufei', '5678');
    await sellWithDays(page, '30');
    await expect(page.getByTestId('total-fund')).toHaveText('¥5.67'); // seed 000 §二.(二).3: VBP 90% of 6.30
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');

    // The same drug again today: 30 days still covered, more than 15 → blocked, with the date.
    await sellWithDays(page, '30');
    await expect(page.getByTestId('supply-blocked')).toBeVisible();
    await expect(page.getByTestId('line-0')).toContainText('剩余30天');
    await expect(page.getByTestId('confirm')).toBeDisabled();
    await shot(page, '01-blocked');

    // F8 opens the override dialog with the reason field focused.
    await page.keyboard.press('F8');
    const dialog = page.getByTestId('override-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('提前重复开药');
    await expect(page.getByTestId('override-reason')).toBeFocused();
    await page.keyboard.type(REASON);
    // The clerk alone: refused by the service, in words.
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('override-error')).toContainText('收费员不能放行');
    await expect(page.getByTestId('confirm')).toBeDisabled();
    await shot(page, '02-clerk-refused');

    // The pharmacist authorises with their PIN.
    await page.getByTestId('override-authorizer').selectOption('yaoshi');
    await page.getByTestId('override-pin').fill('0000');
    await page.getByTestId('override-pin').press('Enter');
    await expect(page.getByTestId('override-error')).toContainText('PIN 不正确');
    await page.getByTestId('override-pin').fill('1234');
    await page.getByTestId('override-pin').press('Enter');
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('message')).toContainText('已登记放行');
    await expect(page.getByTestId('message')).toContainText('王药师（药师）');
    await expect(page.getByTestId('supply-blocked')).toBeHidden();
    await expect(page.getByTestId('line-0')).toContainText('已登记放行');
    await shot(page, '03-overridden');

    await expect(page.getByTestId('confirm')).toBeEnabled();
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    const receipt = (await page.getByTestId('last-receipt').textContent())!.trim();

    // The override served that sale only: a third refill today is blocked again.
    await sellWithDays(page, '30');
    await expect(page.getByTestId('supply-blocked')).toBeVisible();
    await page.keyboard.press('Escape');

    // Linked to the settlement: the overrides report names the sale.
    const sale = (await screenApi<{ items: { id: string }[] }>(c, 'findSettlements', { text: receipt })).body.items[0]!;
    await page.keyboard.press('F7');
    await page.getByTestId('report-overrides').click();
    const frame = page.frameLocator('[data-testid="report-frame"]');
    await expect(frame.locator('body')).toContainText(REASON);
    await expect(frame.locator('body')).toContainText('王药师（药师）');
    await expect(frame.locator('body')).toContainText(sale.id);
    await expect(page.getByTestId('report-summary')).toContainText('放行次数 1');
    await shot(page, '04-overrides-report');
  });

  test('reports on screen: the monthly report shows the month’s sales with its chart; CSV and Excel download', async ({ page }) => {
    await signIn(page, c, 'yaoshi', '1234');
    await page.keyboard.press('F7');
    await expect(page.getByTestId('tab-reports')).toHaveClass(/active/);
    // Residents (seed 003 附件4) is the first report: two sales of 6.30, the fund 5.67 each.
    await expect(page.getByTestId('report-title')).toContainText('城乡居民');
    await expect(page.getByTestId('report-summary')).toContainText('医疗费合计 12.60');
    await expect(page.getByTestId('report-summary')).toContainText('报销额合计 11.34');
    await expect(page.getByTestId('report-summary')).toContainText('结算笔数 2');
    const frame = page.frameLocator('[data-testid="report-frame"]');
    await expect(frame.locator('svg')).toBeVisible();
    await expect(frame.locator('table').first()).toContainText('12.60');
    await shot(page, '05-monthly-report');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/^monthly-residents-\d{4}-\d{2}\.csv$/);
    const text = readFileSync((await csv.path())!, 'utf8');
    expect(text).toContain('12.60');
    expect(text).toContain('11.34');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsx.path())!);
    const values: unknown[] = [];
    wb.worksheets[0]!.eachRow((r) => r.eachCell((cell) => values.push(cell.value)));
    expect(values).toContain(12.6);

    // ↓ moves to the next report; the statistics draw fund paid per month.
    await page.getByTestId('report-monthly-residents').focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('report-title')).toContainText('职工');
    await page.getByTestId('report-statistics').click();
    await expect(page.getByTestId('report-summary')).toContainText('基金支付合计 11.34');
    await expect(frame.locator('svg')).toContainText('基金支付');
    // Print / PDF goes through the shell (the browser's print dialog here).
    await page.getByTestId('report-print').click();
    await expect(page.getByTestId('report-error')).toHaveCount(0);
    await shot(page, '06-statistics');
  });
});
