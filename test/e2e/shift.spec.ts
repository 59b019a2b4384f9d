// A shift at the Lincang counter with the platform simulator in its own process: an unknown
// code, an ineligible patient, the platform going away mid-shift and coming back (the sale
// settles anyway and drains afterwards: seed 002 §五 补录结算 by the counter, not by hand), a
// reversal one search away, and the attention page.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCounterProcess, startSimulatorProcess, api, screenApi, type CounterProcess, type SimulatorProcess } from './counter-server.ts';
import { FIXTURE_EC_TOKEN, FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { scan, signIn } from './ui.ts';

const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `shift-${name}.png`) });
const L = FIXTURE_REGIONS.lincang;

test.describe.serial('a shift at the counter', () => {
  let c: CounterProcess;
  let sim: SimulatorProcess;
  let simDir: string;

  test.beforeAll(async () => {
    simDir = mkdtempSync(join(tmpdir(), 'lbc-e2e-sim-'));
    sim = await startSimulatorProcess(simDir);
    c = await startCounterProcess('lincang', ['--endpoint', sim.url]);
  });
  test.afterAll(async () => {
    await c?.stop();
    await sim?.stop();
  });

  async function sell(page: Page, patient: string) {
    await expect(page.getByTestId('patient-input')).toBeFocused();
    await scan(page, patient);
    await expect(page.getByTestId('item-input')).toBeFocused();
    await scan(page, drugBarcode(1));
    await expect(page.getByTestId('total-fund')).not.toHaveText('—');
  }

  test('an unknown code is named on screen and nothing is added', async ({ page }) => {
    await signIn(page, c);
    await scan(page, L.eligible);
    await expect(page.getByTestId('item-input')).toBeFocused();
    await scan(page, '6909999999999');
    await expect(page.getByTestId('message')).toContainText('未找到“6909999999999”');
    await expect(page.getByTestId('lines')).not.toContainText('6909999999999');
    await expect(page.getByTestId('confirm')).toBeDisabled();
    await shot(page, '01-unknown-code');
    // An ID number that fails its check digit is refused with the reason, not looked up.
    // (No line was added, so Esc has no sale to ask about; F2 goes to the patient field for the next card.)
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('discard-dialog')).toHaveCount(0);
    await page.keyboard.press('F2');
    await expect(page.getByTestId('patient-input')).toBeFocused();
    const bad = L.eligible.slice(0, 17) + (L.eligible.endsWith('0') ? '1' : '0');
    await scan(page, bad);
    await expect(page.getByTestId('patient-panel')).toContainText('校验');
    await shot(page, '02-bad-check-digit');
  });

  test('a scanner slowed down by a busy PC still adds the scanned item, not the highlighted hit of a half-typed code', async ({ page }) => {
    // What a loaded 2-core PC does to a wedge scan: one long gap mid-code. The gap lets the live
    // search list every drug of the barcode prefix (氨氯地平片 first) and makes the key timing
    // read as typing; Enter on a code that is exactly a barcode must still add that item.
    await signIn(page, c);
    await scan(page, L.eligible);
    await expect(page.getByTestId('item-input')).toBeFocused();
    const code = drugBarcode(2);
    await page.keyboard.type(code.slice(0, 6), { delay: 0 });
    await expect(page.getByTestId('search-results')).toContainText('氨氯地平片'); // the prefix list is open
    await page.keyboard.type(code.slice(6), { delay: 0 });
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('line-0')).toContainText('二甲双胍片');
    await expect(page.getByTestId('lines')).not.toContainText('氨氯地平片');
    await expect(page.getByTestId('search-results')).toBeHidden();
    // Typing with the list open still takes the highlighted hit (↓ moves it), also for a short code.
    await page.keyboard.type('6901', { delay: 0 });
    await expect(page.getByTestId('search-results')).toContainText('缬沙坦胶囊');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('line-1')).toContainText('缬沙坦胶囊');
    await page.keyboard.press('Escape');
  });

  test('the 医保码 scanned offline resolves through the roster token; an unknown token asks for the ID card', async ({ page }) => {
    await signIn(page, c);
    await scan(page, FIXTURE_EC_TOKEN);
    await expect(page.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
    await expect(page.getByTestId('patient-name')).toHaveText('张*国');
    // Esc asks before it drops the patient on screen (放弃本单？); Enter confirms.
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('discard-dialog')).toBeVisible();
    await page.keyboard.press('Enter');
    await page.keyboard.press('F2');
    await expect(page.getByTestId('patient-input')).toBeFocused();
    await scan(page, 'ECUNKNOWN20249999zz88yy77');
    await expect(page.getByTestId('patient-panel')).toContainText('未找到患者');
    await expect(page.getByTestId('lookup-problem')).toContainText(/联网|身份证/);
    await shot(page, '02b-voucher-unknown');
  });

  test('a social-security card read (the reader types its pipe record) finds the patient by card number', async ({ page }) => {
    await signIn(page, c);
    const cardNo = `K${L.eligible.slice(-8)}`;
    const record = ['530902', L.eligible, cardNo, '530900D156000005000A1B2C3D4E5F67', '张建国', '008188011100', '3.00', '20200101', '20300101', '000000000001', 'DEV01'].join('|') + '|';
    await scan(page, record);
    await expect(page.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
    await expect(page.getByTestId('patient-panel')).not.toContainText('张建国'); // masked on screen
    await shot(page, '02c-card');
    await page.keyboard.press('Escape');
  });

  test('an ineligible patient: the reason in plain Chinese, the fund pays nothing, settling is refused', async ({ page }) => {
    await signIn(page, c, 'shoufei', '5678');
    await scan(page, L.ineligible);
    await expect(page.getByTestId('eligibility')).toContainText('本次不享受两病待遇');
    await expect(page.getByTestId('eligibility')).toContainText(L.ineligibleReason);
    await scan(page, drugBarcode(1));
    await expect(page.getByTestId('total-fund')).toHaveText('¥0.00');
    await expect(page.getByTestId('total-patient')).toHaveText('¥6.30');
    await page.keyboard.press('Control+Enter');
    await expect(page.getByTestId('message')).toContainText('不享受两病待遇');
    await shot(page, '03-ineligible');
    const status = await api<{ total: number }>(c, 'outboxStatus', {});
    expect(status.body.total).toBe(0);
  });

  test('the platform goes away mid-shift: sales still settle, wait in the outbox, and upload when it is back', async ({ page }) => {
    await signIn(page, c);
    await sell(page, L.eligible);
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    await expect(page.getByTestId('outbox-summary')).toHaveText('全部已上传', { timeout: 15_000 });
    await expect(page.getByTestId('platform')).toHaveAttribute('data-reachable', 'true');

    await sim.stop(); // the line to the bureau drops
    await expect(page.getByTestId('platform')).toHaveAttribute('data-reachable', 'false', { timeout: 10_000 });
    await sell(page, L.eligible);
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    await sell(page, L.eligible);
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    await expect(page.getByTestId('outbox-summary')).toHaveText('2 笔待上传');
    await expect(page.getByTestId('outbox')).toContainText('医保平台离线');
    await shot(page, '04-platform-down');

    sim = await startSimulatorProcess(simDir, sim.port); // back, same address, same records
    await expect(page.getByTestId('platform')).toHaveAttribute('data-reachable', 'true', { timeout: 15_000 });
    await expect(page.getByTestId('outbox-summary')).toHaveText('全部已上传', { timeout: 30_000 });
    await shot(page, '05-platform-back');
    const status = await api<{ total: number; uploaded: number; attention: number }>(c, 'outboxStatus', {});
    expect(status.body).toMatchObject({ total: 3, uploaded: 3, attention: 0 });
  });

  test('a reversal is one search away and goes up to the platform too', async ({ page }) => {
    await signIn(page, c);
    const first = await screenApi<{ items: { receiptNo: string; kind: string }[] }>(c, 'findSettlements', { text: '' });
    const receipt = first.body.items.find((s) => s.kind === 'sale')!.receiptNo;
    // Scanning the receipt's number at the counter opens it on the returns page, chosen.
    await scan(page, receipt);
    await expect(page.getByTestId('tab-returns')).toHaveClass(/active/);
    await expect(page.getByTestId('return-detail')).toContainText(receipt);
    await page.getByTestId('return-all').click();
    await page.getByTestId('return-reason').fill('患者过敏退药');
    await shot(page, '06-return-chosen');
    await page.getByTestId('return-confirm').click();
    await page.getByTestId('return-final').click();
    await expect(page.getByTestId('returns-message')).toContainText('全额冲销');
    await expect(page.getByTestId('outbox-summary')).toHaveText('全部已上传', { timeout: 20_000 });
    await shot(page, '07-reversed');
    const again = await screenApi<{ items: { receiptNo: string; reversedBy: string[] }[] }>(c, 'findSettlements', { text: receipt });
    expect(again.body.items[0]!.reversedBy.length).toBe(1);
    // A second reversal of the same sale is refused, in words.
    const sale = (await screenApi<{ items: { id: string }[] }>(c, 'findSettlements', { text: receipt })).body.items[0]!;
    const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('lbc.session')!).session as string);
    const twice = await api<{ error: { code: string; messageZh: string } }>(c, 'reverse', { session, settlementId: sale.id, reason: '重复' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.messageZh).toContain('已全部退费');
  });

  test('supply: with days of supply given, a refill while 15+ days are left is blocked in words (seed 003 附件3 note 2)', async ({ page }) => {
    await signIn(page, c);
    await sell(page, L.eligible);
    await page.getByTestId('days-0').fill('30');
    await expect(page.getByTestId('total-fund')).toHaveText('¥5.67');
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    // The same drug again today: 30 days are still covered.
    await sell(page, L.eligible);
    await page.getByTestId('days-0').fill('30');
    await expect(page.getByTestId('line-0').getByTestId('line-warning').last()).toContainText(/天/);
    await expect(page.getByTestId('supply-blocked')).toBeVisible();
    await expect(page.getByTestId('confirm')).toBeDisabled();
    await shot(page, '08-refill-blocked');
    // Without days the check cannot run: the counter does not guess.
    await page.getByTestId('days-0').fill('');
    await expect(page.getByTestId('supply-blocked')).toBeHidden();
    await page.keyboard.press('Escape');
  });

  test('a business refusal by the platform lands on the attention page with what to do; a full reversal clears it', async ({ page }) => {
    const psnNo = (await api<{ patient: { psnNo: string } }>(c, 'lookup', { input: L.eligible })).body.patient.psnNo;
    const faults = await fetch(`${sim.url}admin/faults`.replace(/([^/])admin/, '$1/admin'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refusePsnNo: [psnNo] }) });
    expect(faults.status).toBe(200);
    await signIn(page, c);
    await sell(page, L.eligible);
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算'); // settled locally at once, whatever the platform says later
    const receipt = (await page.getByTestId('last-receipt').textContent())!.trim();
    await expect(page.getByTestId('outbox-summary')).toHaveText('1 笔需处理', { timeout: 20_000 });
    await page.keyboard.press('F6');
    const list = page.getByTestId('attention-list');
    await expect(list).toContainText(receipt);
    await expect(list).toContainText('平台拒绝');
    await expect(list).toContainText('整单冲销');
    await shot(page, '09-attention-refused');
    await fetch(`${sim.url}admin/faults`.replace(/([^/])admin/, '$1/admin'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await page.keyboard.press('F4');
    await page.getByTestId('returns-search').fill(receipt);
    await page.keyboard.press('Enter');
    await page.getByTestId('returns-list').getByText(receipt).click();
    await page.getByTestId('return-all').click();
    await page.getByTestId('return-reason').fill('平台拒绝，改按自费结算');
    await page.getByTestId('return-confirm').click();
    await page.getByTestId('return-final').click();
    await expect(page.getByTestId('returns-message')).toContainText('全额冲销');
    await expect(page.getByTestId('outbox-summary')).toHaveText('全部已上传', { timeout: 20_000 });
    await page.keyboard.press('F6');
    await expect(page.getByTestId('attention-empty')).toBeVisible();
  });

  test('the attention page and settings are one key away', async ({ page }) => {
    await signIn(page, c, 'admin', '0000');
    await page.keyboard.press('F6');
    await expect(page.getByTestId('attention-empty')).toBeVisible();
    await shot(page, '09-attention');
    await page.keyboard.press('F9');
    await expect(page.getByTestId('set-code')).toHaveValue(L.institution.code);
    await page.getByTestId('set-code').fill('');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-message')).toContainText('请求内容有误');
    await page.getByTestId('set-code').fill(L.institution.code);
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-message')).toHaveText('已保存');
    await expect(page.getByTestId('operators')).toContainText('王药师');
    await shot(page, '10-settings');
  });

  test('the opened address works once: the code leaves the address bar, a reload keeps the tab, a second window is told to reopen', async ({ page, browser }) => {
    const url = await c.openUrl();
    await page.goto(url);
    await expect(page.getByTestId('op-yaoshi')).toBeVisible();
    expect(page.url()).not.toContain('code=');
    await page.reload();
    await expect(page.getByTestId('op-yaoshi')).toBeVisible();
    // The same address in another window (what `ps` showed): the code is spent.
    const other = await browser.newContext();
    try {
      const second = await other.newPage();
      await second.goto(url);
      await expect(second.getByText('无法连接柜台服务')).toBeVisible();
      await expect(second.getByText(/只能使用一次/)).toBeVisible();
      await expect(second.getByTestId('op-yaoshi')).toHaveCount(0);
    } finally {
      await other.close();
    }
  });
});
