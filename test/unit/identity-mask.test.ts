// Masking personal data for screens and logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { maskCardNo, maskCertno, maskIdNumbersIn, maskName } from '../../core/identity/index.ts';

test('ID numbers keep the first 4 and last 4 characters', () => {
  assert.equal(maskCertno('530102199001011234'), '5301**********1234');
  assert.equal(maskCertno('11010519491231002X'), '1101**********002X');
  assert.equal(maskCertno('110105491231002'), '1101*******1002');
  assert.equal(maskCertno('1234'), '**34');
  assert.equal(maskCertno(''), '');
  assert.equal(maskCertno(undefined), '');
});

test('names keep the first character (and the last from three on)', () => {
  assert.equal(maskName('张三丰'), '张*丰');
  assert.equal(maskName('张三'), '张*');
  assert.equal(maskName('欧阳娜娜'), '欧**娜');
  assert.equal(maskName('李'), '*');
  assert.equal(maskName(null), '');
});

test('card numbers keep the first 2 and last 2', () => {
  assert.equal(maskCardNo('A01234567'), 'A0*****67');
  assert.equal(maskCardNo('12345'), '****5');
});

test('ID numbers inside free text are masked, other numbers left alone', () => {
  assert.equal(maskIdNumbersIn('psn 11010519491231002X not found (rx 2024001)'), 'psn 1101**********002X not found (rx 2024001)');
  assert.equal(maskIdNumbersIn('no id 1234567890123456789012'), 'no id 1234567890123456789012');
});

test('property: a masked ID keeps its length and never shows the 10 middle characters', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^\d{17}[\dX]$/), (id) => {
      const m = maskCertno(id);
      assert.equal(m.length, 18);
      assert.equal(m.slice(4, 14), '*'.repeat(10));
      assert.equal(m.slice(0, 4) + m.slice(14), id.slice(0, 4) + id.slice(14));
    }),
  );
});
