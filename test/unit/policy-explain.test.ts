// Why a line's amount is what it is, in plain Chinese, from the engine's own answer: the rate and
// what decided it (集采 under 临医保联发〔2024〕27号 二、（二）3; level and management class under
// the Chongqing notice 三、（一）1), the part over the payment standard, the cap left after the line;
// and a policy file's source note by the document's name instead of its seed number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicyBook, quote } from '../../core/policy/index.ts';
import { documentTitle, explainQuote, plainSource } from '../../core/policy/explain.ts';
import type { QuoteRequest } from '../../core/contract/quote.ts';

const book = loadPolicyBook();

function req(policy: string, over: Partial<QuoteRequest> = {}): QuoteRequest {
  return {
    policy,
    date: '2026-03-10',
    institution: { type: 'clinic', level: 1, code: 'H1' },
    patient: { insurance: 'resident', conditions: ['hypertension'], managementClass: 2, otherChronicDiseases: 0, chronicDiseaseSince: null, designatedInstitution: 'H1' },
    usedThisYear: '0.00',
    annualCap: null,
    lines: [
      { id: 'a', kind: 'drug', listed: true, vbp: true, price: '6.30', paymentStandard: '6.30', quantity: '1' },
      { id: 'b', kind: 'drug', listed: true, vbp: false, price: '32.50', paymentStandard: '28.00', quantity: '2' },
      { id: 'c', kind: 'drug', listed: false, vbp: false, price: '26.00', paymentStandard: null, quantity: '1' },
    ],
    ...over,
  };
}

function explained(r: QuoteRequest) {
  const res = quote(book, r);
  return explainQuote(r, res, book.resolve(r.policy, r.date).version);
}

test('Lincang: 90% for a VBP drug, 60% with the part over the payment standard, an unlisted drug not paid; cap left after each line', () => {
  const [a, b, c] = explained(req('lincang'));
  assert.equal(a!.rateZh, '报销 90%');
  assert.ok(a!.notes.includes('集采中选药品'));
  assert.equal(a!.sourceZh, '临医保联发〔2024〕27号 二、（二）3：集中带量采购中选药品的报销比例调整为90%');
  // Cap 600 for hypertension; 5.67 paid on line a, 33.60 (60% of 2 × 28.00) on line b.
  assert.ok(a!.notes.includes('年度限额剩余 ¥594.33'), a!.notes.join('|'));
  assert.equal(b!.rateZh, '报销 60%');
  assert.equal(b!.overStandard, '9.00');
  assert.ok(b!.notes.includes('超支付标准部分自付 ¥9.00'));
  assert.ok(b!.notes.includes('年度限额剩余 ¥560.73'));
  assert.ok(!b!.notes.includes('集采中选药品'));
  assert.equal(c!.rateZh, '不予报销');
  assert.ok(c!.notes.some((n) => n.includes('不在本地区两病用药目录内')));
});

test('Chongqing names the institution level and the management class (its rates depend on them); a cap reached is said', () => {
  const [a, b] = explained(req('chongqing'));
  assert.ok(a!.notes.includes('一级及以下医疗机构'), a!.notes.join('|'));
  assert.ok(b!.notes.includes('二类管理'), b!.notes.join('|'));
  const lincang = explained(req('lincang'));
  assert.ok(!lincang[0]!.notes.includes('一级及以下医疗机构'), 'Lincang pays alike at every level: the level is not a reason there');
  // 595 of the 600 used: line a is paid in part (5.00 of 5.67), the rest of the sale not at all.
  const [x, y] = explained(req('lincang', { usedThisYear: '595.00' }));
  assert.ok(x!.notes.includes('达到年度支付限额，本项仅部分报销'), x!.notes.join('|'));
  assert.ok(x!.notes.includes('年度限额剩余 ¥0.00'));
  assert.ok(y!.notes.includes('年度支付限额已用完'), y!.notes.join('|'));
});

test('source notes by the document name, never the seed number', () => {
  assert.equal(plainSource('seed 003 §二.(一).4: 处方量单次最长不超过3个月'), '鄂州医保发〔2022〕76号 二、（一）4：处方量单次最长不超过3个月');
  assert.equal(plainSource('seed 001 §四: 可一次性开具不超过12周的用药量'), '重庆市《关于做好城乡居民高血压糖尿病门诊用药保障和健康管理的通知》 四：可一次性开具不超过12周的用药量');
  assert.equal(plainSource('seed 004: 本文未公布报销比例'), '达市医保发〔2022〕10号：本文未公布报销比例');
  assert.equal(plainSource('站点政策文件'), '站点政策文件');
  for (const p of ['lincang', 'chongqing', 'kunming', 'ezhou', 'dazhou']) {
    const f = book.get(p)!;
    for (const v of f.versions) for (const r of v.lineRules) assert.doesNotMatch(plainSource(r.source), /seed|§/i, r.source);
  }
});

test('a receipt names the document without the policy file\'s remark for the administrator', () => {
  const titles = ['lincang', 'chongqing', 'kunming', 'ezhou', 'dazhou'].map((p) => documentTitle(book.get(p)!.versions.at(-1)!.document));
  assert.deepEqual(titles, ['临医保联发〔2024〕27号', '重庆市医疗保障局 重庆市卫生健康委员会《关于做好城乡居民高血压糖尿病门诊用药保障和健康管理的通知》', '昆医保通〔2023〕60号', '鄂州医保发〔2022〕76号', '达市医保发〔2022〕10号']);
});
