// Policies are data: bundled files validate, a site directory can add the rates and cap a seed
// never published (Dazhou) or a new year's version, and a broken file is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { InputError } from '../../core/contract/problems.ts';
import { quote } from '../../core/policy/engine.ts';
import { parse, request, line } from '../helpers/quote.ts';

const DAZHOU_SITE = {
  id: 'dazhou',
  name: '达州市',
  versions: [
    {
      effectiveFrom: '2024-01-01',
      document: '本站配置：达州市医保局 2024 年两病待遇（示例）',
      eligibility: { insurance: ['resident', 'employee'], chronicDiseaseSupersedes: false, institutionTypes: ['clinic', 'pharmacy'], levels: [1, 2, 3], designatedInstitutionOnly: false },
      lineRules: [
        { when: { listed: false }, covered: false, reason: 'NOT_LISTED', source: 'site' },
        { when: { insurance: ['resident'] }, rate: '0.5', source: 'site' },
        { when: { insurance: ['employee'] }, rate: '0.7', source: 'site' },
      ],
      cap: { kind: 'table', entries: [{ when: { conditions: 'any' }, amount: '300', source: 'site' }] },
    },
  ],
};

function siteDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-policy-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

test('the five bundled regions load and validate', () => {
  assert.deepEqual(loadPolicyBook(undefined).ids(), ['chongqing', 'dazhou', 'ezhou', 'kunming', 'lincang']);
});

test('seed 004: a site file supplies Dazhou rates and cap from its own date; earlier dates still lack them', () => {
  const book = loadPolicyBook(siteDir({ 'dazhou.json': DAZHOU_SITE }));
  const r = quote(book, parse(request({ policy: 'dazhou', date: '2024-06-01', patient: { insurance: 'employee' }, lines: [line({ price: '100' })] })));
  assert.equal(r.policy.version, '2024-01-01');
  assert.equal(r.fund, '70.00');
  assert.equal(r.cap.limit, '300.00');
  assert.throws(() => quote(book, parse(request({ policy: 'dazhou', date: '2023-06-01' }))), (e: unknown) => e instanceof InputError && e.code === 'POLICY_INCOMPLETE');
});

test('a site version with the same effective date replaces the bundled one', () => {
  const lincang = JSON.parse(JSON.stringify(loadPolicyBook(undefined).get('lincang')));
  const v = lincang.versions[1];
  v.lineRules = v.lineRules.map((r: { rate?: string }) => (r.rate === '0.6' ? { ...r, rate: '0.65' } : r));
  const book = loadPolicyBook(siteDir({ 'lincang.json': { id: 'lincang', name: '临沧市', versions: [v] } }));
  assert.equal(book.get('lincang')!.versions.length, 2);
  assert.equal(quote(book, parse(request({ lines: [line({ price: '100' })] }))).fund, '65.00');
});

test('a broken policy file is refused, naming the file and the field', () => {
  const bad = { ...DAZHOU_SITE, versions: [{ ...DAZHOU_SITE.versions[0], lineRules: [{ when: {}, rate: '1.5', source: 'x' }] }] };
  assert.throws(() => loadPolicyBook(siteDir({ 'dazhou.json': bad })), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.code, 'INVALID_POLICY_FILE');
    assert.match(e.message, /dazhou\.json/);
    assert.ok(e.problems.some((p) => p.path.startsWith('versions.0.lineRules.0')));
    return true;
  });
  assert.throws(() => loadPolicyBook(siteDir({ 'x.json': '{ not json' })), /not valid JSON/);
  const unknownReason = { ...DAZHOU_SITE, versions: [{ ...DAZHOU_SITE.versions[0], lineRules: [{ when: {}, covered: false, reason: 'BECAUSE', source: 'x' }] }] };
  assert.throws(() => loadPolicyBook(siteDir({ 'd.json': unknownReason })), /unknown reason code/);
});

test('a missing site directory is an error, not silently ignored', () => {
  assert.throws(() => loadPolicyBook('/nonexistent/lbc-policies'), (e: unknown) => e instanceof InputError && e.code === 'POLICY_DIR_MISSING');
});
