// On screen (browser shell, Lincang fixture): a drug for a condition the patient is not filed for
// is not covered and offers 新增病种 (seed 000 §二.(二).3, seed 003 §二.(三).1), which files it and
// re-prices the line; the 自费·异地·备案 page records a self-pay sale and an out-of-area sale
// with its 垫付 receipt (seed 001 §四), puts an unflagged buyer on the candidates list
// (seed 000 §二.(一).1) and shows the stock compliance report (seed 000 §二.(三).6).
import { test, expect, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCounterProcess, type CounterProcess } from './counter-server.ts';
import { scan, signIn } from './ui.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { syntheticCertno } from '../../core/import/synthetic.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

const HYPERTENSION_ONLY = syntheticCertno('530902', '19570707', 21);

let c: CounterProcess;
test.beforeAll(async () => {
  c = await startCounterProcess('lincang');
  // A hypertension-only resident on the roster, and the institution marked public (Lincang files there only).
  const roster = join(c.dataDir, 'extra-roster.csv');
  writeFileSync(roster, `psn_no,certno,name,insutype,region,conditions,flagged_date\nPX0021,${HYPERTENSION_ONLY},杜高压,390,530902,高血压,2024-03-01\n`);
  const imported = cli(['import', 'roster', roster, '--data', c.dataDir]);
  expect(imported.status, imported.stderr).toBe(0);
  const pub = cli(['filing', 'settings', '--public', 'yes', '--data', c.dataDir]);
  expect(pub.status, pub.stderr).toBe(0);
});
test.afterAll(async () => {
  await c?.stop();
});

test('an antidiabetic for a hypertension-only patient: not covered, 新增病种 on the spot, then covered', async ({ page }) => {
  await signIn(page, c);
  await scan(page, HYPERTENSION_ONLY);
  await expect(page.getByTestId('eligibility')).toContainText('享受两病门诊用药保障');
  await expect(page.getByTestId('item-input')).toBeFocused();
  await scan(page, drugBarcode(2)); // 二甲双胍片
  await expect(page.getByTestId('line-0').getByTestId('line-warning')).toContainText('未备案糖尿病');
  await expect(page.getByTestId('fund-0')).toHaveText('¥0.00');
  await page.getByTestId('add-condition-0').click();
  const dialog = page.getByTestId('filing-dialog');
  await expect(dialog).toContainText('新增病种备案：糖尿病');
  await page.getByTestId('filing-doctor').fill('王医生');
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('message')).toContainText('高血压、糖尿病');
  await expect(page.getByTestId('fund-0')).toHaveText('¥4.32'); // 4.80 VBP at 90% (seed 000 §二.(二).3)
  await expect(page.getByTestId('line-0').getByTestId('line-warning')).toHaveCount(0);
});

/** Keeps the HTML of every document the browser shell sends to its print frame (the frame goes after printing). */
async function capturePrints(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { printed: string[] };
    w.printed = [];
    new MutationObserver((ms) => {
      for (const m of ms) for (const n of m.addedNodes) if (n instanceof HTMLIFrameElement && n.srcdoc) w.printed.push(n.srcdoc);
    }).observe(document.body, { childList: true });
  });
  return async () => page.evaluate(() => (window as unknown as { printed: string[] }).printed);
}

async function openUncovered(page: Page) {
  await signIn(page, c);
  await page.getByTestId('tab-uncovered').click();
  await expect(page.getByTestId('uncovered-page')).toBeVisible();
}

test('stock compliance (seed 000 §二.(三).6): the fixture health centre stocks 4 VBP two-disease drugs, short of the 20 it needs', async ({ page }) => {
  await openUncovered(page);
  await expect(page.getByTestId('stock-vbp')).toContainText('集采中选两病药品 4 种（要求不少于 20 种）');
  await expect(page.getByTestId('stock-verdict')).toContainText('未达到配备要求');
  await expect(page.getByTestId('stock-verdict')).toContainText('还差 16 种');
  await shot(page, 'uncovered-stock');
});

test('self-pay: a roster patient buys a drug the scheme does not list; recorded and printed as 自费, nothing from the fund', async ({ page }) => {
  await openUncovered(page);
  const printed = await capturePrints(page);
  await page.getByTestId('cash-patient').fill(HYPERTENSION_ONLY);
  await page.getByTestId('cash-code-0').fill(drugBarcode(6)); // 复方丹参滴丸: not on the list
  await page.getByTestId('cash-confirm').click();
  await expect(page.getByTestId('uncovered-message')).toContainText(/已记录自费：票据号 Z\d{13}，个人支付 ¥26\.00/);
  await expect.poll(async () => (await printed()).length).toBe(1);
  const html = (await printed())[0]!;
  expect(html).toContain('自费结算单');
  expect(html).toContain('医保统筹支付</td><td class="num">0.00 元');
  expect(html).not.toContain('杜高压'); // the name is masked on the receipt
  await shot(page, 'uncovered-self-pay');
});

test('out of area (seed 001 §四 异地非直接联网结算): the ID number and place of insurance are required; the 垫付 claim receipt is printed with what the insuring bureau needs', async ({ page }) => {
  await openUncovered(page);
  const printed = await capturePrints(page);
  const msg = page.getByTestId('uncovered-message');
  const certno = syntheticCertno('510104', '19550303', 7);
  await page.getByTestId('cash-kind').selectOption('out-of-area');
  await page.getByTestId('cash-name').fill('钱多多');
  await page.getByTestId('cash-code-0').fill(drugBarcode(1));
  await page.getByTestId('cash-confirm').click();
  await expect(msg).toContainText('异地就医垫付须填写身份证号');
  await page.getByTestId('cash-certno').fill(certno);
  await page.getByTestId('cash-region').fill('510104');
  await page.getByTestId('cash-confirm').click();
  await expect(msg).toContainText(/已记录异地就医（垫付）：票据号 Y\d{13}，个人支付 ¥6\.30/);
  await expect(page.getByTestId('cash-last')).toContainText('钱');
  await expect.poll(async () => (await printed()).length).toBe(1);
  const html = (await printed())[0]!;
  for (const must of ['异地就医费用垫付凭证', '钱多多', certno, '510104', '城乡居民基本医疗保险', '个人垫付', '6.30', '参保地医保经办机构']) expect(html, must).toContain(must);
  await shot(page, 'uncovered-out-of-area');
});

test('filing offer (seed 000 §二.(一).2): someone not on the roster at a public level-1 institution is offered one-stop filing, and filed on the spot', async ({ page }) => {
  const pub = cli(['filing', 'settings', '--public', 'yes', '--data', c.dataDir]);
  expect(pub.status, pub.stderr).toBe(0);
  await openUncovered(page);
  const stranger = syntheticCertno('530902', '19610101', 33);
  await page.getByTestId('offer-certno').fill(stranger);
  await page.getByTestId('offer-check').click();
  await expect(page.getByTestId('offer-advice')).toContainText('一站式办理');
  await page.getByTestId('offer-file').click();
  await expect(page.getByTestId('filing-dialog')).toBeVisible();
  await page.getByTestId('filing-psn').fill('PX0033');
  await page.getByTestId('filing-name').fill('新病人');
  await page.getByTestId('filing-diabetes').check();
  await page.getByTestId('filing-doctor').fill('王医生');
  await shot(page, 'uncovered-filing-offer');
  await page.getByTestId('filing-confirm').click();
  await expect(page.getByTestId('filing-dialog')).toHaveCount(0);
  await expect(page.getByTestId('uncovered-message')).toContainText('糖尿病');
  // Filed: the counter now finds them on the roster, eligible at once.
  await page.getByTestId('offer-certno').fill(stranger);
  await page.getByTestId('offer-check').click();
  await expect(page.getByTestId('offer-advice')).toContainText('已在两病名单中');
});

test('candidates (seed 000 §二.(一).1): where the institution may not file, the buyer goes on the list, shown and exported masked', async ({ page }) => {
  const notPublic = cli(['filing', 'settings', '--public', 'no', '--data', c.dataDir]);
  expect(notPublic.status, notPublic.stderr).toBe(0);
  await openUncovered(page);
  const stranger = syntheticCertno('530902', '19620202', 35);
  await page.getByTestId('offer-certno').fill(stranger);
  await page.getByTestId('offer-check').click();
  await expect(page.getByTestId('offer-advice')).toContainText('待认定人员');
  await page.getByTestId('cand-name').fill('候选人');
  await page.getByTestId('cand-hypertension').check();
  await page.getByTestId('cand-add').click();
  await expect(page.getByTestId('uncovered-message')).toContainText('已登记为待认定人员');
  const list = page.getByTestId('cand-list');
  await expect(list).toContainText('高血压');
  await expect(list).not.toContainText(stranger);
  await expect(list).not.toContainText('候选人');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('cand-export').click()]);
  expect(download.suggestedFilename()).toMatch(/^两病待认定人员名单-H53090200001-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.startsWith('\uFEFF序号,姓名,身份证号')).toBe(true);
  expect(csv).toContain('高血压');
  expect(csv).toContain(`${stranger.slice(0, 4)}${'*'.repeat(10)}${stranger.slice(-4)}`); // masked: first four and last four
  expect(csv).not.toContain(stranger);
  expect(csv).not.toContain('候选人');
  await shot(page, 'uncovered-candidates');
});

test('a patient the scheme does not cover (employee insurance in Lincang) buys at the counter as self-pay', async ({ page }) => {
  await signIn(page, c);
  await scan(page, FIXTURE_REGIONS.lincang.ineligible);
  await expect(page.getByTestId('eligibility')).toContainText('参保类型');
  await expect(page.getByTestId('item-input')).toBeFocused();
  await scan(page, drugBarcode(1));
  await expect(page.getByTestId('total')).toHaveText('¥6.30');
  await page.keyboard.press('F12');
  await expect(page.getByTestId('message')).toContainText('本次不享受两病待遇');
  await page.getByTestId('self-pay').click();
  await expect(page.getByTestId('message')).toContainText(/已按自费结算：票据号 Z\d{13}，个人支付 ¥6\.30/);
  await expect(page.getByTestId('patient-input')).toBeFocused();
});

test.describe('where the platform settles 异地 directly (seed 001 §四 异地直接联网结算)', () => {
  let direct: CounterProcess;
  test.beforeAll(async () => {
    // A site platform file (LBC_PLATFORM_CONFIG) saying Lincang's institutions settle 异地 directly.
    const bundled = JSON.parse(readFileSync(join(ROOT, 'resources/platform/provinces.json'), 'utf8')) as { regions: Record<string, Record<string, unknown>> };
    bundled.regions.lincang!.outOfAreaDirect = true;
    const file = join(mkdtempSync(join(tmpdir(), 'lbc-e2e-oa-')), 'provinces.json');
    writeFileSync(file, JSON.stringify(bundled));
    const before = process.env.LBC_PLATFORM_CONFIG;
    process.env.LBC_PLATFORM_CONFIG = file;
    try {
      direct = await startCounterProcess('lincang');
    } finally {
      if (before === undefined) delete process.env.LBC_PLATFORM_CONFIG;
      else process.env.LBC_PLATFORM_CONFIG = before;
    }
  });
  test.afterAll(async () => {
    await direct?.stop();
  });

  test('an out-of-area sale goes through the platform: no local rule, a direct-settlement receipt, uploaded through the outbox and acknowledged', async ({ page }) => {
    await signIn(page, direct);
    await page.getByTestId('tab-uncovered').click();
    const printed = await capturePrints(page);
    const msg = page.getByTestId('uncovered-message');
    await page.getByTestId('cash-kind').selectOption('out-of-area');
    await page.getByTestId('cash-name').fill('钱多多');
    await page.getByTestId('cash-certno').fill(syntheticCertno('510104', '19550303', 7));
    await page.getByTestId('cash-region').fill('510104');
    await page.getByTestId('cash-hypertension').check();
    await page.getByTestId('cash-code-0').fill(drugBarcode(1));
    await page.getByTestId('cash-confirm').click();
    await expect(msg).toContainText('人员编号'); // the platform settles on the insuring region's 人员编号
    await page.getByTestId('cash-psn').fill('51010400000000000077');
    await page.getByTestId('cash-confirm').click();
    await expect(msg).toContainText(/已提交异地就医（医保平台直接结算）：票据号 S\d+，费用合计 ¥6\.30，基金支付以医保平台结算结果为准/);
    await expect.poll(async () => (await printed()).length).toBe(1);
    const html = (await printed())[0]!;
    expect(html).toContain('异地就医直接结算单');
    expect(html).toContain('由医保平台按参保地政策结算');
    expect(html).not.toContain('垫付');
    await shot(page, 'uncovered-out-of-area-direct');
    // The launcher's uploader sends it to its simulator: the journal record is acknowledged.
    const receiptNo = /票据号 (S\d+)/.exec((await msg.textContent()) ?? '')![1]!;
    const record = () => {
      const out = cli(['journal', '--json', '--data', direct.dataDir]);
      const items = (JSON.parse(out.stdout) as { items: { receiptNo: string; fund: string; outbox: { status: string } | null }[] }).items;
      return items.find((r) => r.receiptNo === receiptNo);
    };
    expect(record()?.fund, 'no local rule paid anything').toBe('0.00');
    await expect.poll(() => record()?.outbox?.status, { timeout: 30_000 }).toBe('acked');
  });
});
