// At the counter in the browser shell (issue 12 items 5, 6, 9): a box's 药品追溯码 scanned in the
// line's dialog, a second scan of it refused there, and a later sale of the same box refused by
// the service; a continuous prescription refused without the doctor and the consent, then
// settled complete and printed with Ctrl+P (用法用量, days, the diagnosis from the drugs, the next
// refill date); an operator's PIN changed and another operator disabled. Screenshots under
// test-results/e2e.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCounterProcess, type CounterProcess } from './counter-server.ts';
import { scan, signIn } from './ui.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

const LC = FIXTURE_REGIONS.lincang;
const CODE = '81234567890123450001';

// One counter for the file, in order: the printer test signs in with the PIN the operators test set.
test.describe.configure({ mode: 'serial' });
let c: CounterProcess;
test.beforeAll(async () => {
  c = await startCounterProcess('lincang');
});
test.afterAll(async () => {
  await c?.stop();
});

test('trace code: scanned per box, a repeat scan refused in the dialog, a box already sold refused on the next sale', async ({ page }) => {
  await signIn(page, c);
  await scan(page, LC.eligible);
  await expect(page.getByTestId('item-input')).toBeFocused();
  await scan(page, drugBarcode(1));
  await expect(page.getByTestId('line-0')).toContainText('氨氯地平片');
  // The line is priced (as the pharmacist sees it) before its trace codes are scanned.
  await expect(page.getByTestId('fund-0')).not.toHaveText('…');
  await page.keyboard.press('Alt+t');
  const dialog = page.getByTestId('dispense-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('trace-input')).toBeFocused();
  await scan(page, '12345');
  await expect(page.getByTestId('dispense-error')).toContainText('20 位数字');
  await scan(page, CODE);
  await expect(page.getByTestId('trace-list')).toContainText(CODE);
  await scan(page, CODE);
  await expect(page.getByTestId('dispense-error')).toContainText('已扫描过');
  await page.getByTestId('batch-input').fill('B2406');
  await shot(page, 'trace-01-dialog');
  await page.keyboard.press('Control+Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('dispense-0')).toContainText('（1）');
  await expect(page.getByTestId('total')).toHaveText('¥6.30');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('message')).toContainText('已结算');
  const receiptNo = (await page.getByTestId('last-receipt').textContent())!.trim();

  // The same box again, for the next patient: refused by the service, naming the receipt it went out on.
  await scan(page, LC.eligible);
  await expect(page.getByTestId('item-input')).toBeFocused();
  await scan(page, drugBarcode(1));
  await page.getByTestId('dispense-0').click();
  await scan(page, CODE);
  await page.getByTestId('dispense-save').click();
  await expect(page.getByTestId('quote-error')).toContainText(`追溯码 ${CODE} 已售出`);
  await expect(page.getByTestId('quote-error')).toContainText(receiptNo);
  await expect(page.getByTestId('confirm')).toBeDisabled();
  await shot(page, 'trace-02-already-sold');
});

test('continuous prescription: refused without doctor and consent; complete, it settles and Ctrl+P prints it with usage, days and the next refill date', async ({ page }) => {
  await signIn(page, c);
  await scan(page, LC.eligible);
  await expect(page.getByTestId('item-input')).toBeFocused();
  await scan(page, drugBarcode(2));
  await expect(page.getByTestId('line-0')).toContainText('二甲双胍片');
  await page.getByTestId('days-0').fill('28');
  await page.getByTestId('dispense-0').click();
  await page.getByTestId('usage-dose').fill('0.5g');
  await page.getByTestId('usage-frequency').fill('每日两次');
  await page.getByTestId('usage-route').fill('口服');
  await page.getByTestId('dispense-save').click();
  await page.getByTestId('rx-on').check();
  await expect(page.getByTestId('rx-missing')).toContainText('处方医生、患者知情同意');
  await expect(page.getByTestId('total')).toHaveText('¥4.80');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('message')).toContainText('开具慢性病连续处方前请填写：处方医生、患者知情同意');
  await expect(page.getByTestId('line-0')).toContainText('二甲双胍片'); // nothing settled, nothing cleared
  await page.getByTestId('rx-doctor').fill('刘医生');
  await page.getByTestId('rx-address').fill('临翔区凤翔街道 12 号');
  await page.getByTestId('rx-phone').fill('13800001234');
  await page.getByTestId('rx-reviewer').fill('赵药师');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('message')).toContainText('患者知情同意');
  await shot(page, 'rx-01-refused-without-consent');
  await page.getByTestId('rx-consent').check();
  await expect(page.getByTestId('rx-missing')).toHaveCount(0);
  await page.keyboard.press('F12');
  await expect(page.getByTestId('message')).toContainText('已结算');
  const receiptNo = (await page.getByTestId('last-receipt').textContent())!.trim();
  await page.keyboard.press('Control+p');
  await expect(page.getByTestId('message')).toContainText('已发送打印');

  // The print record: Ctrl+P printed the form once (the next one is a reprint), and what it carries.
  const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('lbc.session')!).session as string);
  const id = await page.evaluate(async (no) => (await window.counter!.findSettlements({ text: no })).items[0]!.id, receiptNo);
  const out = await page.evaluate(async (a) => window.counter!.print({ session: a.session, document: 'prescription', settlementId: a.id, layout: 'a5' }), { session, id });
  expect(out.copy).toBe(2);
  const form = await page.context().newPage();
  await form.setContent(out.html);
  const body = form.locator('body');
  await expect(body).toContainText('用法：每次 0.5g，每日两次，口服　共 28 天');
  await expect(body).toContainText('临床诊断：糖尿病');
  await expect(body).not.toContainText('临床诊断：高血压');
  await expect(body).toContainText('地址：临翔区凤翔街道 12 号');
  await expect(body).toContainText('电话：13800001234');
  await expect(body).toContainText('复核药师：赵药师');
  await expect(body).toContainText(/下次取药：\d{4} 年 \d{1,2} 月 \d{1,2} 日起（上一次剩余用药量不超过15日时）/);
  await form.screenshot({ path: join(SHOTS, 'rx-02-form.png'), fullPage: true });
  await form.close();
  await shot(page, 'rx-03-settled');
});

test('operators: an administrator disables a clerk (gone from sign-in) and changes their own PIN (the new one signs in)', async ({ page, browser }) => {
  await signIn(page, c, 'admin', '0000');
  await page.getByTestId('tab-settings').click();
  await page.getByTestId('toggle-shoufei').click();
  await expect(page.getByTestId('accounts-message')).toContainText('已停用 李收费');
  await expect(page.getByTestId('account-shoufei')).toContainText('已停用');
  await page.getByTestId('pin-current').fill('9999');
  await page.getByTestId('pin-new').fill('2468');
  await page.getByTestId('pin-again').fill('2468');
  await page.getByTestId('pin-save').click();
  await expect(page.getByTestId('pin-message')).toContainText('原 PIN 不正确');
  await page.getByTestId('pin-current').fill('0000');
  await page.getByTestId('pin-save').click();
  await expect(page.getByTestId('pin-message')).toContainText('已修改 PIN');
  await page.getByTestId('operator-accounts').scrollIntoViewIfNeeded();
  await shot(page, 'operators-01-settings');

  const other = await (await browser.newContext()).newPage();
  await other.goto(await c.openUrl());
  await expect(other.getByTestId('op-yaoshi')).toBeVisible();
  await expect(other.getByTestId('op-shoufei')).toHaveCount(0);
  await other.getByTestId('op-admin').click();
  await other.getByTestId('pin').fill('0000');
  await other.keyboard.press('Enter');
  await expect(other.getByRole('alert')).toBeVisible();
  await shot(other, 'operators-02-old-pin-refused');
  await other.getByTestId('pin').fill('2468');
  await other.keyboard.press('Enter');
  await expect(other.getByTestId('patient-input')).toBeFocused();
});

test('printing setup: paper and offsets saved, a test page through the browser print dialog, recorded as a print', async ({ page }) => {
  await signIn(page, c, 'admin', '2468'); // the PIN changed by the test above
  await page.getByTestId('tab-settings').click();
  const setup = page.getByTestId('printer-setup');
  await expect(setup).toContainText('系统打印对话框选择打印机'); // the browser shell lists no printers
  await page.getByTestId('paper-receipt').selectOption('a5');
  await page.getByTestId('offset-top').fill('2');
  await page.getByTestId('offset-left').fill('-1.5');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-message')).toHaveText('已保存');
  const saved = await page.evaluate(async () => (await window.counter!.getSettings({})).settings.printers);
  expect([saved.receiptLayout, saved.offsetTopMm, saved.offsetLeftMm]).toEqual(['a5', 2, -1.5]);
  await page.getByTestId('test-page-receipt').click();
  await expect(page.getByTestId('printer-message')).toContainText('已发送测试页（结算单打印机，第 1 张）');
  await page.getByTestId('test-page-prescription').click();
  await expect(page.getByTestId('printer-message')).toContainText('第 2 张');
  await setup.scrollIntoViewIfNeeded();
  await shot(page, 'printer-01-setup');
});
