// CSV exports never carry a live formula (OWASP CSV injection); money stays numeric.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from '../../core/reports/render.ts';

test('text cells starting with = + - @ tab or CR get a leading quote', () => {
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  for (const s of ['+1', '-cmd', '@SUM(A1)', '\tx']) assert.equal(csvCell(s), `'${s}`);
  assert.equal(csvCell('\rx'), `"'\rx"`);
  assert.equal(csvCell('氨氯地平'), '氨氯地平');
  assert.equal(csvCell('-12.50'), "'-12.50", 'in a text column even a number-like text is neutralised');
});

test('a negative amount in a numeric column stays a number', () => {
  assert.equal(csvCell('-12.50', true), '-12.50');
  assert.equal(csvCell(-3, true), '-3');
  assert.equal(csvCell('=1+1', true), "'=1+1", 'non-numbers are neutralised in any column');
});
