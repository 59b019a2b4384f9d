// A working day at the Lincang counter without a host POS: a cash sale with change, a mixed
// payment, two sales held and recalled across a restart of the counter, a return of one line with
// its confirmation per payment method and its 退费凭证, the shift statement and the day close with
// the platform simulator; and the plugin API handing the patient's share to a host POS and taking
// what it collected. Screenshots under test-results/e2e.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, startCounterProcess, startSimulatorProcess, type CounterProcess, type SimulatorProcess } from './counter-server.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { scan, signIn } from './ui.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `workday-${name}.png`) });
const L = FIXTURE_REGIONS.lincang;
const fen = (text: string) => Math.round(Number(text.replace(/[¥,\s]/g, '')) * 100);
const yuan = (f: number) => (f / 100).toFixed(2);

/** Keeps every document the browser shell prints (its print frames live for a second). */
async function watchPrints(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __prints: string[] };
    w.__prints = [];
    new MutationObserver((ms) => ms.forEach((m) => m.addedNodes.forEach((n) => n instanceof HTMLIFrameElement && w.__prints.push(n.srcdoc)))).observe(document.body, { childList: true });
  });
}
const printed = (page: Page) => page.evaluate(() => (window as unknown as { __prints: string[] }).__prints.join('\n'));

test.describe.serial('a working day at the counter', () => {
  let c: CounterProcess;
  let sim: SimulatorProcess;

  test.beforeAll(async () => {
    sim = await startSimulatorProcess(mkdtempSync(join(tmpdir(), 'lbc-e2e-sim-')));
    c = await startCounterProcess('lincang', ['--endpoint', sim.url]);
  });
  test.afterAll(async () => {
    await c?.stop();
    await sim?.stop();
  });

  async function ring(page: Page, ...codes: string[]) {
    await expect(page.getByTestId('patient-input')).toBeFocused();
    await scan(page, L.eligible);
    await expect(page.getByTestId('item-input')).toBeFocused();
    // One package at a time, as a pharmacist rings them: each line is on screen before the next scan.
    for (const [i, code] of codes.entries()) {
      await scan(page, code);
      await expect(page.getByTestId(`line-${i}`)).toBeVisible();
    }
    await expect(page.getByTestId('pay-due')).not.toHaveText('—');
    // The quote follows each scan: wait until 应收 has settled on its last value.
    let due = '';
    await expect.poll(async () => {
      const now = (await page.getByTestId('pay-due').textContent())!;
      const same = now === due;
      due = now;
      await page.waitForTimeout(300);
      return same;
    }).toBe(true);
    return fen(due);
  }

  test('cash with change: 应收, 实收 100, 找零 shown before and after settling', async ({ page }) => {
    await signIn(page, c);
    const due = await ring(page, drugBarcode(3));
    await page.getByTestId('pay-tendered').fill('100');
    await expect(page.getByTestId('pay-change')).toHaveText(`¥${yuan(10000 - due)}`);
    await shot(page, '01-cash-change');
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText(`实收 ¥100.00，找零 ¥${yuan(10000 - due)}`);
    await expect(page.getByTestId('pay-tendered')).toHaveValue('', { timeout: 5000 });
  });

  test('mixed payment: part WeChat, the rest in cash; a short cash part cannot be settled', async ({ page }) => {
    await signIn(page, c);
    const due = await ring(page, drugBarcode(3), drugBarcode(1));
    await page.getByTestId('pay-mixed').check();
    await page.getByTestId('pay-other-method').selectOption('wechat');
    await page.getByTestId('pay-other-amount').fill('5');
    await page.getByTestId('pay-tendered').fill('1');
    await expect(page.getByTestId('pay-error')).toContainText('少于');
    await expect(page.getByTestId('confirm')).toBeDisabled();
    const cash = Math.ceil((due - 500) / 1000) * 10 + 10;
    await page.getByTestId('pay-tendered').fill(String(cash));
    await expect(page.getByTestId('pay-change')).toHaveText(`¥${yuan(500 + cash * 100 - due)}`);
    await shot(page, '02-mixed-payment');
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText(`实收 ¥${yuan(500 + cash * 100)}`);
  });

  test('two sales held, the counter restarted, both still there; one recalled, settled, and gone from the list', async ({ page }) => {
    await signIn(page, c);
    await ring(page, drugBarcode(1));
    await page.keyboard.press('F5');
    await expect(page.getByTestId('held-sales')).toContainText('挂单 1 笔');
    await ring(page, drugBarcode(4));
    await page.keyboard.press('F5');
    await expect(page.getByTestId('held-sales')).toContainText('挂单 2 笔');
    await shot(page, '03-two-held');
    const dir = c.dataDir;
    await c.stop();
    c = await startCounterProcess('lincang', ['--endpoint', sim.url], dir);
    await signIn(page, c);
    await expect(page.getByTestId('held-sales')).toContainText('挂单 2 笔');
    await expect(page.getByTestId('held-sales')).toContainText('阿卡波糖');
    await shot(page, '04-held-after-restart');
    await page.getByTestId('held-sales').getByTestId('recall').last().click();
    await expect(page.getByTestId('lines')).toContainText('阿卡波糖');
    await expect(page.getByTestId('held-sales')).toContainText('挂单 1 笔');
    await expect(page.getByTestId('pay-due')).not.toHaveText('—');
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    await expect(page.getByTestId('held-sales')).toContainText('挂单 1 笔');
  });

  test('a return of one line: nothing pre-ticked, the refund per method confirmed, the 退费凭证 printed', async ({ page }) => {
    await signIn(page, c);
    const due = await ring(page, drugBarcode(3), drugBarcode(1));
    await page.getByTestId('pay-alipay').check();
    await page.keyboard.press('F12');
    await expect(page.getByTestId('last-receipt')).not.toBeEmpty();
    const receipt = (await page.getByTestId('last-receipt').textContent())!;
    await page.getByTestId('tab-returns').click();
    await page.getByTestId('returns-search').fill(receipt);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('return-detail')).toContainText(receipt);
    const boxes = page.getByTestId('return-detail').getByRole('checkbox');
    await expect(boxes.first()).not.toBeChecked();
    await expect(boxes.last()).not.toBeChecked();
    await expect(page.getByTestId('return-reason')).toHaveValue('');
    await expect(page.getByTestId('return-confirm')).toBeDisabled();
    await boxes.first().check();
    await page.getByTestId('return-reason').fill('药品包装破损');
    await page.getByTestId('return-confirm').click();
    await expect(page.getByTestId('return-preview')).toContainText('退回支付宝');
    const amount = fen((await page.getByTestId('return-amount').textContent())!);
    expect(amount).toBeGreaterThan(0);
    expect(amount).toBeLessThan(due);
    await shot(page, '05-return-confirm');
    await watchPrints(page);
    await page.getByTestId('return-final').click();
    await expect(page.getByTestId('returns-message')).toContainText('部分退费');
    await expect(page.getByTestId('returns-message')).toContainText(`支付宝 ¥${yuan(amount)}`);
    await expect.poll(() => printed(page)).toContain('退费凭证');
    expect(await printed(page)).toContain('药品包装破损');
    expect(await printed(page)).toContain('退款方式');
    await shot(page, '06-return-done');
  });

  test('the shift statement: sales, returns, by method, cash expected; printed with signature lines; day close from the screen', async ({ page }) => {
    await signIn(page, c);
    await page.keyboard.press('F11');
    await expect(page.getByTestId('shift-statement')).toBeVisible();
    await expect(page.getByTestId('shift-sales')).toHaveText('4 笔');
    await expect(page.getByTestId('shift-returns')).toHaveText('1 笔');
    await expect(page.getByTestId('shift-methods')).toContainText('现金');
    await expect(page.getByTestId('shift-methods')).toContainText('微信');
    await expect(page.getByTestId('shift-methods')).toContainText('支付宝');
    await expect(page.getByTestId('shift-cash')).not.toHaveText('¥0.00');
    await shot(page, '07-shift-statement');
    await watchPrints(page);
    await page.getByTestId('shift-print').click();
    await expect.poll(() => printed(page)).toContain('交班人');
    expect(await printed(page)).toContain('接班人');
    await expect(page.getByTestId('shift-message')).toContainText('交班人和接班人签字');
    await expect(page.getByTestId('outbox-summary')).toContainText('全部已上传', { timeout: 30_000 });
    await page.getByTestId('close-day').click();
    await expect(page.getByTestId('close-result')).toContainText('日结', { timeout: 30_000 });
    await expect(page.getByTestId('close-result')).toContainText('对账');
    await shot(page, '08-day-close');
  });

  test('plugin API: quote gives the patient share and the methods; settle takes what the host collected', async () => {
    const s = await api<{ session: string }>(c, 'signIn', { operatorId: 'yaoshi', pin: '1234' });
    const lines = [{ code: drugBarcode(5), quantity: '1' }];
    const q = await api<{ patientPays: string; payableWith: string[] }>(c, 'quote', { patient: L.eligible, lines });
    expect(q.status).toBe(200);
    expect(q.body.payableWith).not.toContain('account');
    const bad = await api(c, 'settle', { session: s.body.session, requestId: crypto.randomUUID(), patient: L.eligible, lines, payment: { received: q.body.patientPays, methods: [{ method: 'card', amount: '0.01' }] } });
    expect(bad.status).toBe(400);
    const ok = await api<{ payment: { due: string; methods: { methodZh: string }[] } }>(c, 'settle', { session: s.body.session, requestId: crypto.randomUUID(), patient: L.eligible, lines, payment: { received: q.body.patientPays, methods: [{ method: 'card', amount: q.body.patientPays }] } });
    expect(ok.status).toBe(200);
    expect(ok.body.payment.due).toBe(q.body.patientPays);
    expect(ok.body.payment.methods[0]!.methodZh).toBe('银行卡');
  });
});
