// A complete 慢性病连续处方 (seed 003 附件3; issue 12 item 6): it settles only with the doctor and
// the patient's consent (患者已知情); the printed form carries each line's 用法用量 and days, a
// diagnosis that matches the drugs (not 高血压 beside a diabetes drug), the address, phone and
// 复核药师 captured at the counter, and the first date a refill is allowed under "上一次剩余用药量
// 不超过15日".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { CounterService } from '../../core/service/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { FIXTURE_REGIONS, drugBarcode, seedFixture } from '../../core/app/fixture.ts';
import { diagnosisFor } from '../../core/print/templates.ts';

const NOW = new Date('2026-03-10T02:00:00Z');
const LC = FIXTURE_REGIONS.lincang;

async function counter() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-crx-')));
  seedFixture(db, 'lincang');
  const s = new CounterService({ db, now: () => NOW });
  const session = (await s.call('signIn', { operatorId: 'yaoshi', pin: '1234' })).session;
  return { db, s, session };
}

const rx = (o: { doctor?: string; consent?: boolean } = {}) => ({
  institution: { code: LC.institution.code, name: LC.institution.name, type: 'clinic' as const, level: 1 as const },
  doctor: { name: o.doctor ?? '李医生' },
  date: '2026-03-10',
  diagnosis: '高血压；糖尿病',
  continuous: true,
  consent: o.consent ?? true,
  address: '临翔区凤翔街道 12 号',
  phone: '13800001234',
  reviewer: '王药师',
});
// Metformin only (a diabetes drug), 30 days.
const lines = [{ code: drugBarcode(2), quantity: '1', days: 30, usage: { dose: '0.5g', frequency: '每日两次', route: '口服' } }];

test('a continuous prescription without the consent or the doctor is refused before settling, in Chinese naming what is missing', async () => {
  const { db, s, session } = await counter();
  await assert.rejects(s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines, prescription: rx({ consent: false }) }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.code, 'PRESCRIPTION_INCOMPLETE');
    assert.match(e.messageZh, /患者知情同意/);
    assert.equal(e.problems[0]!.path, 'prescription.consent');
    return true;
  });
  // An empty doctor is refused by the prescription's own contract.
  await assert.rejects(s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines, prescription: rx({ doctor: ' ' }) }), (e: unknown) => e instanceof InputError && e.problems.some((p) => p.path.startsWith('prescription.doctor')));
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM settlement').get() as { n: number }).n, 0);
  // Not ticked as continuous: no consent is asked for.
  const { continuous: _c, ...plain } = rx({ consent: false });
  assert.ok((await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines, prescription: plain })).receiptNo);
});

test('the printed form: 用法用量 and days per line, a diagnosis from the drugs, address, phone, reviewer and the next refill date', async () => {
  const { s, session } = await counter();
  const sale = await s.call('settle', { session, requestId: crypto.randomUUID(), patient: LC.eligible, lines, prescription: rx() });
  const out = await s.call('print', { session, document: 'prescription', settlementId: sale.id, layout: 'a5' });
  const html = out.html;
  assert.match(html, /用法：每次 0\.5g，每日两次，口服　共 30 天/);
  assert.match(html, /临床诊断：糖尿病</);
  assert.doesNotMatch(html, /临床诊断：[^<]*高血压/);
  assert.match(html, /地址：临翔区凤翔街道 12 号/);
  assert.match(html, /电话：13800001234/);
  assert.match(html, /复核药师：<span class="line">王药师/);
  assert.match(html, /医　生：<span class="line">李医生/);
  // 30 days dispensed on 10 March, refill allowed with at most 15 days left: from 25 March.
  assert.match(html, /下次取药：2026 年 3 月 25 日起（上一次剩余用药量不超过15日时）/);
  assert.match(html, /处方申请人：<span class="line">[^&<]+</);
});

test('diagnosisFor: a typed diagnosis is kept only when the drugs treat what it names', () => {
  assert.equal(diagnosisFor('高血压；糖尿病', ['antidiabetic'], ['高血压', '糖尿病']), '糖尿病');
  assert.equal(diagnosisFor('原发性高血压', ['antihypertensive'], ['高血压', '糖尿病']), '原发性高血压');
  assert.equal(diagnosisFor('', ['antihypertensive', 'antidiabetic'], ['高血压', '糖尿病']), '高血压；糖尿病');
  assert.equal(diagnosisFor('', ['other'], ['高血压']), '高血压');
});
