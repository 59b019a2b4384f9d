// Social-security card reads (platform-interface.md §4, ReadCardBas pCardInfo) and 医保电子凭证 tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CARD_FIELDS, checkChar, identify, looksLikeVoucherToken } from '../../core/identity/index.ts';

const TODAY = '2026-11-24';
const first17 = '53010219900101123';
const CERTNO = first17 + checkChar(first17);

function record(over: Partial<Record<(typeof CARD_FIELDS)[number][0], string>> = {}, trailingPipe = true): string {
  const fields = {
    admdvs: '530100',
    certno: CERTNO,
    cardNo: 'A01234567',
    cardSn: '530100D156000005000A1B2C3D4E5F67',
    name: '张三丰',
    resetInfo: '008188011100',
    specVersion: '3.00',
    issueDate: '20180101',
    expiryDate: '20280101',
    terminalNo: '000000000001',
    deviceNo: 'DEV01',
    ...over,
  };
  return CARD_FIELDS.map(([k]) => fields[k]).join('|') + (trailingPipe ? '|' : '');
}

test('a good card record is valid and gives the 1101 certificate (type 03, 卡号, 卡识别码, 社会保障号码)', () => {
  for (const trailing of [true, false]) {
    const r = identify(record({}, trailing), { today: TODAY });
    assert.equal(r.kind, 'social-security-card');
    assert.equal(r.valid, true, JSON.stringify(r.problems));
    assert.equal(r.card?.certno, CERTNO);
    assert.equal(r.card?.name, '张三丰');
    assert.deepEqual(r.cert, {
      mdtrtCertType: '03',
      mdtrtCertNo: 'A01234567',
      cardSn: '530100D156000005000A1B2C3D4E5F67',
      certno: CERTNO,
      name: '张三丰',
      insuAdmdvsHint: '530100',
    });
    // What may be shown: no full number, no full name.
    assert.ok(!r.masked.includes(CERTNO));
    assert.ok(r.masked.includes('张*丰'));
  }
});

test('a lowercase x in the embedded 社会保障号码 is normalised', () => {
  const r = identify(record({ certno: '11010519491231002x' }), { today: TODAY });
  assert.equal(r.valid, true);
  assert.equal(r.card?.certno, '11010519491231002X');
  assert.ok(r.normalized.includes('|11010519491231002X|'));
});

test('a wrong number of fields is refused with the count', () => {
  const short = record().split('|').slice(0, 8).join('|');
  const r = identify(short, { today: TODAY });
  assert.equal(r.kind, 'social-security-card');
  assert.equal(r.valid, false);
  assert.deepEqual(r.problems.map((p) => p.code), ['CARD_FIELD_COUNT']);
  assert.match(r.problems[0]!.message, /got 8/);
  const long = record({}, false) + '|x|y';
  assert.match(identify(long, { today: TODAY }).problems[0]!.message, /got 13/);
});

test('a bad embedded ID number is reported on card.certno with the check-digit problem', () => {
  const wrong = first17 + (checkChar(first17) === '0' ? '1' : '0');
  const r = identify(record({ certno: wrong }), { today: TODAY });
  assert.equal(r.valid, false);
  assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [['card.certno', 'CHECK_DIGIT']]);
  assert.equal(r.cert, undefined, 'no certificate is offered for an invalid card');
});

test('region code, card number, 卡识别码, name, dates and expiry are each checked', () => {
  const cases: [Parameters<typeof record>[0], string, string][] = [
    [{ admdvs: '5301' }, 'card.admdvs', 'CARD_REGION'],
    [{ admdvs: '990100' }, 'card.admdvs', 'CARD_REGION'],
    [{ cardNo: '' }, 'card.cardNo', 'CARD_NO'],
    [{ cardSn: '' }, 'card.cardSn', 'CARD_SN'],
    [{ name: ' ' }, 'card.name', 'CARD_NAME'],
    [{ issueDate: '20180231' }, 'card.issueDate', 'CARD_DATE'],
    [{ expiryDate: '20261123' }, 'card.expiryDate', 'CARD_EXPIRED'],
  ];
  for (const [over, path, code] of cases) {
    const r = identify(record(over), { today: TODAY });
    assert.equal(r.valid, false, JSON.stringify(over));
    assert.deepEqual(r.problems.map((p) => [p.path, p.code]), [[path, code]], JSON.stringify(over));
  }
  // Expiring today is still valid.
  assert.equal(identify(record({ expiryDate: '20261124' }), { today: TODAY }).valid, true);
});

test('医保电子凭证 tokens are recognised by shape and say they need the platform or an offline token', () => {
  const token = '530100ec3yssmhl7m3tge03r1o0000d4c4a5b6';
  const r = identify(token, { today: TODAY });
  assert.equal(r.kind, 'ec-voucher');
  assert.equal(r.valid, true);
  assert.equal(r.normalized, token);
  assert.deepEqual(r.cert, { mdtrtCertType: '01', mdtrtCertNo: token });
  assert.match(r.hint!.message, /platform/);
  assert.match(r.hint!.message, /roster import/);
  assert.match(r.hint!.messageZh, /身份证/);
  assert.ok(!r.masked.includes(token));
});

test('token heuristic boundaries: length 20 and 2048, letters and digits both needed, no spaces', () => {
  assert.equal(looksLikeVoucherToken('a'.repeat(19) + '1'), true);
  assert.equal(looksLikeVoucherToken('a'.repeat(18) + '1'), false);
  assert.equal(looksLikeVoucherToken('a'.repeat(2047) + '1'), true);
  assert.equal(looksLikeVoucherToken('a'.repeat(2048) + '1'), false);
  assert.equal(looksLikeVoucherToken('1'.repeat(25)), false, 'payment codes are all digits');
  assert.equal(looksLikeVoucherToken('abcdefghijklmnopqrstuv'), false, 'no digit');
  assert.equal(looksLikeVoucherToken('abcdefghij 1234567890'), false);
  // All-digit payment codes and EAN barcodes are unknown, not vouchers.
  assert.equal(identify('6901234567892', { today: TODAY }).kind, 'unknown');
  assert.equal(identify('28' + '1'.repeat(22), { today: TODAY }).kind, 'unknown');
});

test('empty and unrecognisable input', () => {
  assert.deepEqual(identify('  \r\n', { today: TODAY }).problems.map((p) => p.code), ['EMPTY']);
  const r = identify('hello', { today: TODAY });
  assert.equal(r.kind, 'unknown');
  assert.equal(r.valid, false);
  assert.equal(r.problems[0]?.code, 'UNRECOGNISED');
});
