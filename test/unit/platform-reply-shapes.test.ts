// Each transaction's reply is read by its own schema (platform-fields.md): a 2103 names the patient's
// share psn_pay / cash_payamt, a 2208 may spell pdn_cash_pay and has no person block, 5203 carries
// setldetail as one object. Every settlement-shaped reply yields the same normalised figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputSchemaFor, parseReply, type KnownInfno, type OutputOf } from '../../core/platform/envelope.ts';

const reply = (output: unknown, infcode: 0 | -1 = 0) => JSON.stringify({ infcode, inf_refmsgid: '530900202408011000000000000001', refmsg_time: '20240801100000000', respond_time: '20240801100000001', err_msg: null, output });

const MSGID = 'P53090100001202408011000000001';
const amounts = {
  medfee_sumamt: '75.20',
  fulamt_ownpay_amt: '0.00',
  overlmt_selfpay: '0.00',
  preselfpay_amt: '0.00',
  inscp_scp_amt: '75.20',
  act_pay_dedc: '0.00',
  hifp_pay: '39.78',
  pool_prop_selfpay: '0.5',
  cvlserv_pay: '0.00',
  hifes_pay: '0.00',
  hifmi_pay: '0.00',
  hifob_pay: '0.00',
  maf_pay: '0.00',
  oth_pay: '0.00',
  fund_pay_sumamt: '39.78',
  acct_pay: '0.00',
  balc: '0.00',
  acct_mulaid_pay: '0.00',
};
const person = { psn_no: 'P1', psn_name: '张三', psn_cert_type: '01', certno: '530902199001011234', gend: '1', naty: '01', brdy: '1990-01-01', age: 34, insutype: '390', psn_type: '14', cvlserv_flag: '0', mdtrt_cert_type: '02', med_type: '41' };
const ids = { setl_id: 'ST1', mdtrt_id: 'MD1', setl_time: '2024-08-01 10:00:00', medins_setl_id: MSGID, clr_optins: '530900' };
const detail = [{ fund_pay_type: '390100', inscp_scp_amt: '75.20', crt_payb_lmt_amt: '0.00', fund_payamt: '39.78', fund_pay_type_name: '城乡居民基本医疗保险基金' }];

function parsed<K extends KnownInfno>(infno: K, output: unknown): OutputOf<K> {
  const r = parseReply(reply(output), outputSchemaFor(infno));
  if (!r.ok) assert.fail(`${infno}: ${r.error}`);
  return r.reply.output as OutputOf<K>;
}
function refused(infno: KnownInfno, output: unknown): string {
  const r = parseReply(reply(output), outputSchemaFor(infno));
  assert.equal(r.ok, false, `${infno} should not parse`);
  return r.ok ? '' : r.error;
}

test('2207 门诊结算: person block, psn_part_amt / psn_cash_pay, hosp_part_amt; figures from those names', () => {
  const out = parsed('2207', { setlinfo: { ...ids, ...person, med_type: '14', ...amounts, psn_part_amt: '35.42', psn_cash_pay: '35.42', hosp_part_amt: '0.00', clr_way: '1', clr_type: '11' }, setldetail: detail });
  assert.equal(out.figures.patient, '35.42');
  assert.equal(out.figures.cash, '35.42');
  assert.equal(out.figures.clrType, '11');
  assert.equal(out.figures.medinsSetlId, MSGID);
  assert.equal(out.setlinfo.hosp_part_amt, '0.00');
  assert.match(refused('2207', { setlinfo: { ...ids, ...person, ...amounts, psn_part_amt: '35.42' } }), /psn_cash_pay/);
});

test('2102 药店结算: the 2207 set without hosp_part_amt, plus detlcutinfo per line', () => {
  const out = parsed('2102', {
    setlinfo: { ...ids, ...person, ...amounts, psn_part_amt: '35.42', psn_cash_pay: '35.42', clr_type: '41' },
    setldetail: detail,
    detlcutinfo: [{ feedetl_sn: 'F1', det_item_fee_sumamt: '75.20', cnt: '2', pric: '37.60', pric_uplmt_amt: '37.60', inscp_scp_amt: '75.20' }],
  });
  assert.equal(out.figures.fund, '39.78');
  assert.equal(out.detlcutinfo[0]!.feedetl_sn, 'F1');
  assert.match(refused('2102', { setlinfo: { ...ids, ...person, ...amounts, psn_part_amt: '35.42', psn_cash_pay: '35.42' }, detlcutinfo: [{ feedetl_sn: 'F1', det_item_fee_sumamt: '1.00' }] }), /cnt/);
});

test('2103 药店结算撤销: psn_pay and cash_payamt (no psn_part_amt, no person block) are a success, not an unknown outcome', () => {
  const out = parsed('2103', { setlinfo: { ...ids, ...amounts, psn_pay: '35.42', cash_payamt: '35.42' }, setldetail: detail });
  assert.equal(out.figures.patient, '35.42');
  assert.equal(out.figures.cash, '35.42');
  assert.equal(out.figures.psnNo, null);
  // The same body read with the 2102 (settle) schema is what made a successful 2103 look ambiguous.
  const asSettle = parseReply(reply({ setlinfo: { ...ids, ...amounts, psn_pay: '35.42', cash_payamt: '35.42' } }), outputSchemaFor('2102'));
  assert.equal(asSettle.ok, false);
  assert.match(refused('2103', { setlinfo: { ...ids, ...amounts, psn_part_amt: '35.42', psn_cash_pay: '35.42' } }), /psn_pay/);
});

test('2208 门诊结算撤销: A1o shape (no person block, pdn_cash_pay) and A2 shape (full 2207 set) both read; neither cash name is a refusal', () => {
  const a1 = parsed('2208', { setlinfo: { ...ids, ...amounts, psn_part_amt: '-35.42', pdn_cash_pay: '-35.42', hosp_part_amt: '0.00' }, setldetail: detail });
  assert.equal(a1.figures.cash, '-35.42');
  const a2 = parsed('2208', { setlinfo: { ...ids, ...person, ...amounts, psn_part_amt: '-35.42', psn_cash_pay: '-35.42' }, setldetail: detail });
  assert.equal(a2.figures.cash, '-35.42');
  assert.equal(a2.figures.psnNo, 'P1');
  assert.match(refused('2208', { setlinfo: { ...ids, ...amounts, psn_part_amt: '-35.42' } }), /psn_cash_pay/);
});

test('5203 结算信息查询: psn_pay / cash_payamt, refd_setl_flag, setldetail as one object (A5) or a list', () => {
  const one = parsed('5203', { setlinfo: { ...ids, ...person, ...amounts, psn_pay: '35.42', cash_payamt: '35.42', refd_setl_flag: '0' }, setldetail: detail[0] });
  assert.equal(one.setldetail.length, 1);
  assert.equal(one.figures.refdSetlFlag, '0');
  const list = parsed('5203', { setlinfo: { ...ids, ...person, ...amounts, psn_pay: '35.42', cash_payamt: '35.42', refd_setl_flag: '1' }, setldetail: detail });
  assert.equal(list.figures.refdSetlFlag, '1');
  assert.match(refused('5203', { setlinfo: { ...ids, ...person, ...amounts, psn_pay: '35.42', cash_payamt: '35.42' } }), /refd_setl_flag/);
});

test('9001 签到 → signinoutb.sign_no; 9002 签退 → signoutoutb (optional)', () => {
  assert.equal(parsed('9001', { signinoutb: { sign_time: '2024-08-01 08:00:00', sign_no: 'SN1' } }).signinoutb.sign_no, 'SN1');
  assert.match(refused('9001', { signinoutb: { sign_time: '2024-08-01 08:00:00' } }), /sign_no/);
  parsed('9002', { signoutoutb: { sign_time: '2024-08-01 18:00:00' } });
  parsed('9002', {});
});

test('2201 挂号 → data {mdtrt_id, psn_no, ipt_otp_no}; 2203 and 2601 have no output node', () => {
  assert.equal(parsed('2201', { data: { mdtrt_id: 'MD1', psn_no: 'P1', ipt_otp_no: 'S2024080100001' } }).data.mdtrt_id, 'MD1');
  assert.match(refused('2201', { data: { mdtrt_id: 'MD1', psn_no: 'P1' } }), /ipt_otp_no/);
  assert.deepEqual(parsed('2203', {}), {});
  assert.deepEqual(parsed('2601', null), {});
  assert.deepEqual(parsed('2601', {}), {});
});

test('2204 费用明细 → result[] with the price limit, item level and type, limited-use flag', () => {
  const line = { feedetl_sn: 'F1', det_item_fee_sumamt: '4.20', cnt: '28', pric: '0.15', pric_uplmt_amt: '0.15', chrgitm_lv: '01', med_chrgitm_type: '09', lmt_used_flag: '0' };
  assert.equal(parsed('2204', { result: [line] }).result[0]!.pric_uplmt_amt, '0.15');
  const { lmt_used_flag: _l, ...noFlag } = line;
  assert.match(refused('2204', { result: [noFlag] }), /lmt_used_flag/);
  assert.match(refused('2204', { result: [] }), /result/);
});

test('3201 对总账 → stmtinfo.stmt_rslt (string or number)', () => {
  assert.equal(parsed('3201', { stmtinfo: { setl_optins: '530900', stmt_rslt: 0, stmt_rslt_dscr: '平帐' } }).stmtinfo.stmt_rslt, '0');
  assert.match(refused('3201', { stmtinfo: { setl_optins: '530900' } }), /stmt_rslt/);
});

test('9101 文件上传 → file_qury_no; 3202 明细对账 → fileinfo and the differing result rows (msgid for a 冲正)', () => {
  assert.equal(parsed('9101', { file_qury_no: 'F1', filename: 'd.json', dld_endtime: '2024-08-02 10:00:00' }).file_qury_no, 'F1');
  assert.match(refused('9101', { filename: 'd.json' }), /file_qury_no/);
  const out = parsed('3202', { fileinfo: { file_qury_no: 'F1', filename: 'd.json', dld_endtime: '2024-08-02 10:00:00' }, result: [{ setl_id: 'ST1', msgid: MSGID, stmt_rslt: '1', medfee_sumamt: '4.20' }] });
  assert.equal(out.result[0]!.msgid, MSGID);
  assert.match(refused('3202', { result: [] }), /fileinfo/);
});

test('1101 人员信息获取 → baseinfo, insuinfo[] (insuplc_admdvs six digits), idetinfo[]', () => {
  const out = parsed('1101', {
    baseinfo: { psn_no: 'P1', psn_cert_type: '01', certno: '530902199001011234', psn_name: '张三', gend: '1', naty: '01', brdy: '1990-01-01', age: 34.5 },
    insuinfo: [{ balc: 12.5, insutype: '390', psn_type: '14', psn_insu_stas: '1', cvlserv_flag: '0', insuplc_admdvs: '530902', emp_name: '' }],
    idetinfo: [{ psn_idet_type: '01', begntime: '2020-01-01 00:00:00' }],
  });
  assert.equal(out.baseinfo.psn_no, 'P1');
  assert.equal(out.insuinfo[0]!.balc, '12.5', 'a JSON number becomes a decimal string');
  assert.equal(out.idetinfo.length, 1);
  assert.deepEqual(parsed('1101', { baseinfo: { psn_no: 'P1', certno: 'C', psn_name: '张三' } }).insuinfo, [], 'no insurance entries is an empty list');
  assert.match(refused('1101', { baseinfo: { psn_no: 'P1', certno: 'C', psn_name: '张三' }, insuinfo: [{ balc: '0', insutype: '390', insuplc_admdvs: '5309' }] }), /insuplc_admdvs/);
  assert.match(refused('1101', { insuinfo: [] }), /baseinfo/);
});

test('5301 慢特病备案查询 → feedetail as one object (A1o) or a list (A2), always a list here; none is an empty list', () => {
  const one = { opsp_dise_code: 'M03900', opsp_dise_name: '高血压病', begndate: '2023-01-01', enddate: '' };
  assert.deepEqual(parsed('5301', { feedetail: one }).feedetail.map((f) => f.opsp_dise_code), ['M03900']);
  assert.deepEqual(parsed('5301', { feedetail: [one, { ...one, opsp_dise_code: 'M01600' }] }).feedetail.map((f) => f.opsp_dise_code), ['M03900', 'M01600']);
  assert.deepEqual(parsed('5301', {}).feedetail, []);
  assert.match(refused('5301', { feedetail: { opsp_dise_name: '高血压病', begndate: '2023-01-01' } }), /feedetail/);
});

test('5205 慢特病用药记录 → rows under feedetail or data (A5 does not name the node)', () => {
  const row = { feedetl_sn: 'F1', fixmedins_code: 'H53090100009', fixmedins_name: '他院', psn_no: 'P1', fee_ocur_time: '2024-07-20 10:00:00', cnt: '28', pric: '0.15', med_list_codg: 'XC08CAA046A001010100483' };
  assert.equal(parsed('5205', { feedetail: [row] }).rows[0]!.fixmedins_code, 'H53090100009');
  assert.equal(parsed('5205', { data: [row] }).rows.length, 1);
  assert.deepEqual(parsed('5205', {}).rows, []);
  assert.match(refused('5205', { feedetail: [{ ...row, cnt: 'x' }] }), /cnt/);
});

test('1312 目录信息查询 → data[] of hilist_code / hilist_name and the page count (number or string)', () => {
  const out = parsed('1312', { data: [{ hilist_code: 'XC08CAA046A001010100483', hilist_name: '苯磺酸氨氯地平片', chrgitm_lv: '01' }], pages: '3', recordCounts: 250 });
  assert.equal(out.pages, 3);
  assert.equal(out.recordCounts, 250);
  assert.match(refused('1312', { data: [{ hilist_name: '无编码' }] }), /hilist_code/);
});

test('3505 商品销售 and 3301 目录对照 have no output node in any anchor: whatever comes is kept, nothing is required', () => {
  assert.deepEqual(parsed('3505', null), {});
  assert.deepEqual(parsed('3301', { retRslt: '1' }), { retRslt: '1' });
});

test('2101 药店预结算: the 2102 shape without a settlement id (a pre-settlement creates none); the figures still add up', () => {
  const { medins_setl_id: _m, setl_id: _s, mdtrt_id: _d, ...noIds } = { ...ids, ...person, ...amounts, psn_part_amt: '35.42', psn_cash_pay: '35.42' };
  const out = parsed('2101', { setlinfo: noIds, setldetail: detail, detlcutinfo: [] });
  assert.equal(out.figures.setlId, '');
  assert.equal(out.figures.medfee, '75.20');
  assert.equal(out.figures.patient, '35.42');
  assert.match(refused('2101', { setlinfo: { ...noIds, psn_part_amt: undefined } }), /psn_part_amt/);
});
