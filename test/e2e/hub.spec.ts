// Many counters, one truth (issue 14): a throwaway hub on a real PostgreSQL cluster, and counters
// started as a user starts them (`npm start`'s launcher), each on its own data directory, linked
// to the hub. Two counters of one clinic: the same patient settles at counter A up to most of the
// year's cap; counter B's screen then shows what remains across both counters, says the figure is
// the group's, and pays only up to the cap; a box's trace code sold at A is refused at B in plain
// Chinese. Then two stores of one pharmacy chain settle against the chain's hub and the chain's
// per-store statements and the summed one come out of the hub's report command. Screenshots
// under test-results/e2e. Skipped (with the reason) only where PostgreSQL is not installed.
import { test, expect, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCounterProcess, screenApi, type CounterProcess } from './counter-server.ts';
import { scan, signIn } from './ui.ts';
import { FIXTURE_REGIONS, drugBarcode } from '../../core/app/fixture.ts';
import { serviceDate } from '../../core/clock/index.ts';
import { Decimal, fen } from '../../core/money/decimal.ts';
import { openDatabase } from '../../core/store/db.ts';
import { addCounter, poolYear } from '../../core/store/hub-db.ts';
import { setSetting } from '../../core/store/settings.ts';
import { PG_SKIP, startTestHub, type TestHub } from '../helpers/hub.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = fileURLToPath(new URL('../../test-results/e2e/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const run = promisify(execFile);

const LC = FIXTURE_REGIONS.lincang;
const EZ = FIXTURE_REGIONS.ezhou;
const CODE = '81234567890123459901';
const yuan = (v: string) => `¥${v}`;
/** A second counter's browser window, as the config's own (playwright.config.ts `use`). */
const SCREEN = { viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

test.describe.configure({ mode: 'serial' });
test.skip(Boolean(PG_SKIP), String(PG_SKIP));

/** Registers a running counter at the hub (as `npm run hub -- add-counter` does) and links it, as its administrator would. */
async function link(hub: TestHub, c: CounterProcess, name: string): Promise<string> {
  const db = openDatabase(c.dataDir);
  try {
    const code = (db.prepare("SELECT value FROM settings WHERE key = 'institution.code'").get() as { value: string }).value;
    const secret = randomBytes(18).toString('base64url');
    const counterId = `${name}-${randomBytes(3).toString('hex')}`;
    await addCounter(hub.pool, { id: counterId, institutionCode: code, name, secret });
    setSetting(db, 'hub.link', { url: hub.url, counterId, secret });
    return counterId;
  } finally {
    db.close();
  }
}

/** Waits until the hub holds this many journal records of a counter (each counter pushes after each commit). */
async function pushed(hub: TestHub, counterId: string, n: number): Promise<void> {
  await expect
    .poll(async () => Number((await hub.pool.query('SELECT count(*) AS n FROM journal_settlement WHERE counter_id = $1', [counterId])).rows[0].n), { timeout: 20_000 })
    .toBe(n);
}

/** One line for a patient; with a quantity, waits for the sale to be priced at it (`total`) before going on. */
async function ring(page: Page, patient: string, code: string, quantity?: { quantity: string; total: string }) {
  await scan(page, patient);
  await expect(page.getByTestId('item-input')).toBeFocused();
  await scan(page, code);
  await expect(page.getByTestId('fund-0')).not.toHaveText('…');
  if (quantity) {
    await page.getByTestId('qty-0').fill(quantity.quantity);
    await expect(page.getByTestId('total')).toHaveText(quantity.total);
    await expect(page.getByTestId('pay-due')).toHaveText(await page.getByTestId('total-patient').textContent() ?? '');
  }
  // Priced and ready, as the pharmacist sees it before F12 (a missing fund cell passed the wait above).
  await expect(page.getByTestId('confirm')).toBeEnabled();
}

test.describe('two counters of one clinic against one hub', () => {
  let hub: TestHub;
  let a: CounterProcess;
  let b: CounterProcess;
  let aId: string;
  let bId: string;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    hub = await startTestHub();
    [a, b] = await Promise.all([startCounterProcess('lincang'), startCounterProcess('lincang')]);
    aId = await link(hub, a, 'window-a');
    bId = await link(hub, b, 'window-b');
  });
  test.afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await hub?.stop();
  });

  test('A settles most of the cap; B shows what is left across both counters, says whose figure it is, pays only up to the cap; A\'s box is refused at B', async ({ page, browser }) => {
    test.setTimeout(120_000);
    const year = Number(serviceDate().slice(0, 4));
    // Counter A: most of the year's cap (缬沙坦 × 40), then one box with its trace code.
    await signIn(page, a);
    await ring(page, LC.eligible, drugBarcode(3), { quantity: '40', total: '¥1300.00' });
    await expect(page.getByTestId('cap-figure')).toContainText('年度已用额度为本组全部柜台合计');
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    await expect(page.getByTestId('last-pool-figure')).toContainText('本组全部柜台合计');
    await ring(page, LC.eligible, drugBarcode(1));
    await page.keyboard.press('Alt+t');
    await expect(page.getByTestId('trace-input')).toBeFocused();
    await scan(page, CODE);
    await expect(page.getByTestId('trace-list')).toContainText(CODE);
    await page.keyboard.press('Control+Enter');
    await expect(page.getByTestId('dispense-0')).toContainText('（1）');
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    await shot(page, 'hub-01-counter-a');
    await pushed(hub, aId, 2);
    const psnNo = (await hub.pool.query('SELECT psn_no FROM journal_settlement WHERE counter_id = $1 LIMIT 1', [aId])).rows[0].psn_no as string;
    const paidAtA = (await poolYear(hub.pool, psnNo, year)).fund;
    const limit = '720.00';
    const left = fen(new Decimal(limit).minus(paidAtA));
    expect(new Decimal(left).greaterThan(0) && new Decimal(left).lessThan(100)).toBe(true);

    // Counter B, another browser window on another counter: the patient panel counts what A paid.
    const ctxB = await browser.newContext(SCREEN);
    const pageB = await ctxB.newPage();
    await signIn(pageB, b);
    await scan(pageB, LC.eligible);
    await expect(pageB.getByTestId('item-input')).toBeFocused();
    await expect(pageB.getByTestId('cap')).toContainText(`已用 ${yuan(paidAtA)} / 限额 ${yuan(limit)}`);
    await expect(pageB.getByTestId('cap-left')).toHaveText(yuan(left));
    await expect(pageB.getByTestId('cap-figure')).toContainText('年度已用额度为本组全部柜台合计（中心数据，截至');
    // 缬沙坦 × 10 alone would be paid ¥292.50 by the fund; only what is left of the cap is paid.
    await scan(pageB, drugBarcode(3));
    await expect(pageB.getByTestId('fund-0')).not.toHaveText('…');
    await pageB.getByTestId('qty-0').fill('10');
    await expect(pageB.getByTestId('total')).toHaveText('¥325.00');
    await expect(pageB.getByTestId('total-fund')).toHaveText(yuan(left));
    await expect(pageB.getByTestId('why-0')).toContainText('年度限额剩余 ¥0.00（按本组全部柜台合计，截至');
    await shot(pageB, 'hub-02-counter-b-group-figure');
    await pageB.keyboard.press('F12');
    await expect(pageB.getByTestId('message')).toContainText('已结算');
    await expect(pageB.getByTestId('last-sale')).toContainText(`统筹 ${yuan(left)}`);
    await expect(pageB.getByTestId('last-pool-figure')).toContainText('年度已用额度为本组全部柜台合计');
    // The printed receipt says whose figure the sale was priced from.
    const session = await pageB.evaluate(() => JSON.parse(sessionStorage.getItem('lbc.session')!).session as string);
    const receiptNo = (await pageB.getByTestId('last-receipt').textContent())!.trim();
    const id = await pageB.evaluate(async (no) => (await window.counter!.findSettlements({ text: no })).items[0]!.id, receiptNo);
    const printed = await pageB.evaluate(async (x) => window.counter!.print({ session: x.session, document: 'receipt', settlementId: x.id, layout: '80mm' }), { session, id });
    const paper = await pageB.context().newPage();
    await paper.setContent(printed.html);
    await expect(paper.locator('body')).toContainText('年度已用额度为本组全部柜台合计（中心数据，截至');
    await expect(paper.locator('body')).toContainText('年度限额剩余0.00 元');
    await paper.screenshot({ path: join(SHOTS, 'hub-03-receipt-b.png'), fullPage: true });
    await paper.close();
    // At the hub, the year across both counters is exactly the cap: never past it.
    await pushed(hub, bId, 1);
    expect((await poolYear(hub.pool, psnNo, year)).fund).toBe(limit);

    // The box A sold, scanned at B: refused before anything is written, in plain Chinese.
    await ring(pageB, LC.eligible, drugBarcode(1));
    await pageB.keyboard.press('Alt+t');
    await expect(pageB.getByTestId('trace-input')).toBeFocused();
    await scan(pageB, CODE);
    await pageB.keyboard.press('Control+Enter');
    await pageB.keyboard.press('F12');
    await expect(pageB.getByTestId('message')).toContainText(`追溯码 ${CODE} 已在本机构其他柜台或本连锁其他门店售出`);
    await expect(pageB.getByTestId('message')).toContainText('同一盒药不能重复销售');
    await expect(pageB.getByTestId('message')).not.toContainText(/[A-Z_]{4,}/);
    await expect(pageB.getByTestId('line-0')).toContainText('氨氯地平片'); // nothing settled, nothing cleared
    await shot(pageB, 'hub-04-counter-b-trace-refused');
    const atB = await screenApi<{ items: unknown[] }>(b, 'findSettlements', { text: '', limit: 10 });
    expect(atB.body.items.length).toBe(1);

    // The hub goes away from B: the screen says the figure is B's own plus the last hub figure, as of when.
    const dbB = openDatabase(b.dataDir);
    const linkB = (dbB.prepare("SELECT value FROM settings WHERE key = 'hub.link'").get() as { value: string }).value;
    setSetting(dbB, 'hub.link', { ...(JSON.parse(linkB) as { url: string; counterId: string; secret: string }), url: 'http://127.0.0.1:9' });
    dbB.close();
    // The refused sale is dropped (Esc asks first; Enter drops it) and the patient scanned again.
    await pageB.keyboard.press('Escape');
    await expect(pageB.getByText('放弃本单？')).toBeVisible();
    await pageB.keyboard.press('Enter');
    await expect(pageB.getByTestId('patient-input')).toBeFocused();
    await ring(pageB, LC.eligible, drugBarcode(2));
    await expect(pageB.getByTestId('cap-figure')).toContainText('未连上中心：年度已用额度按本柜台记录加最近一次中心数据（截至');
    await expect(pageB.getByTestId('cap-left')).toHaveText('¥0.00');
    await expect(pageB.getByTestId('why-0')).toContainText('未连上中心，按本柜台记录及');
    await shot(pageB, 'hub-04b-counter-b-hub-away');
    await ctxB.close();
  });
});

test.describe('two stores of one chain against the chain\'s hub', () => {
  let hub: TestHub;
  let s1: CounterProcess;
  let s2: CounterProcess;
  const out = mkdtempSync(join(tmpdir(), 'lbc-e2e-chain-'));
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    hub = await startTestHub();
    [s1, s2] = await Promise.all([startCounterProcess('ezhou'), startCounterProcess('ezhou')]);
    // The second store is another institution of the chain: its administrator names it in Settings.
    const admin = await screenApi<{ session: string }>(s2, 'signIn', { operatorId: 'admin', pin: '0000' });
    const current = await screenApi<{ settings: { institution: Record<string, unknown> } & Record<string, unknown> }>(s2, 'getSettings', {});
    const saved = await screenApi(s2, 'saveSettings', {
      session: admin.body.session,
      settings: { ...current.body.settings, institution: { ...current.body.settings.institution, code: 'P42070200002', name: '鄂州市百姓大药房（凤凰店）' } },
    });
    expect(saved.status).toBe(200);
  });
  test.afterAll(async () => {
    await Promise.all([s1?.stop(), s2?.stop()]);
    await hub?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  test('each store settles at its own counter; the chain\'s report has one statement per store and the chain summed', async ({ page, browser }) => {
    test.setTimeout(120_000);
    const id1 = await link(hub, s1, 'store-1');
    const id2 = await link(hub, s2, 'store-2');
    await signIn(page, s1);
    await ring(page, EZ.eligible, drugBarcode(1));
    await page.keyboard.press('F12');
    await expect(page.getByTestId('message')).toContainText('已结算');
    await shot(page, 'hub-05-store-1');
    const ctx2 = await browser.newContext(SCREEN);
    const page2 = await ctx2.newPage();
    await signIn(page2, s2);
    await ring(page2, EZ.eligible, drugBarcode(2));
    await page2.keyboard.press('F12');
    await expect(page2.getByTestId('message')).toContainText('已结算');
    await shot(page2, 'hub-06-store-2');
    await ctx2.close();
    await pushed(hub, id1, 1);
    await pushed(hub, id2, 1);

    const month = serviceDate().slice(0, 7);
    const rep = await run(process.execPath, ['--import', 'tsx', 'core/hub/main.ts', 'report', '--pg', hub.cluster.url(), '--name', 'statistics', '--month', month, '--group-name', '百姓大药房连锁', '--format', 'html', '--out', out], { cwd: ROOT });
    expect(rep.stdout.trim().split('\n')).toHaveLength(3);
    expect(readdirSync(out).sort()).toEqual([`statistics-${month}-P42070200001.html`, `statistics-${month}-P42070200002.html`, `statistics-${month}-group.html`]);
    const statement = (file: string) => readFileSync(join(out, file), 'utf8');
    const one = statement(`statistics-${month}-P42070200001.html`);
    const two = statement(`statistics-${month}-P42070200002.html`);
    const chain = statement(`statistics-${month}-group.html`);
    expect(one).toContain('鄂州市百姓大药房（梁子湖店）');
    expect(two).toContain('鄂州市百姓大药房（凤凰店）');
    expect(chain).toContain('百姓大药房连锁');
    // Each store's statement counts its own sale; the chain's sums both.
    const fundOf = async (counterId: string) => (await hub.pool.query('SELECT sum(fund)::text AS f FROM journal_settlement WHERE counter_id = $1', [counterId])).rows[0].f as string;
    const [f1, f2] = [await fundOf(id1), await fundOf(id2)];
    expect(new Decimal(f1).greaterThan(0) && new Decimal(f2).greaterThan(0) && f1 !== f2).toBe(true);
    const said = (html: string, label: string) => new RegExp(`<b>${label}</b> ([\\d.]+)<`).exec(html)?.[1];
    expect([said(one, '基金支付合计'), said(one, '结算笔数')]).toEqual([f1, '1']);
    expect([said(two, '基金支付合计'), said(two, '结算笔数')]).toEqual([f2, '1']);
    expect([said(chain, '基金支付合计'), said(chain, '结算笔数')]).toEqual([fen(new Decimal(f1).plus(f2)), '2']);
    expect(one).not.toContain('凤凰店');
    expect(two).not.toContain('梁子湖店');
    for (const [html, name] of [[one, 'store-1'], [two, 'store-2'], [chain, 'chain']] as const) {
      await page.setContent(html);
      await page.screenshot({ path: join(SHOTS, `hub-07-report-${name}.png`), fullPage: true });
    }
  });
});
