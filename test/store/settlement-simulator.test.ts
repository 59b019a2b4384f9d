// The platform simulator on its own: the envelope, bad requests answered (never a crash), its
// own SQLite file kept across restarts, the admin endpoints; strict like the reference (a
// missing required field, an unknown infno, a message before 9001, a reused msgid with other
// content are refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../core/simulator/index.ts';
import { tempDir } from '../helpers/settlement.ts';

const post = async (url: string, body: unknown) => (await (await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) })).json()) as Record<string, any>;
let signNo = '';
const env = (infno: string, msgid: string, input: Record<string, unknown>) => ({
  infno,
  msgid,
  mdtrtarea_admvs: '530900',
  insuplc_admdvs: '530902',
  recer_sys_code: 'YBXT',
  dev_no: 'T1',
  infver: 'V1.0',
  opter_type: '1',
  opter: 'op',
  opter_name: '甲',
  inf_time: '2024-08-01 10:00:00',
  fixmedins_code: 'P53090100001',
  fixmedins_name: '临翔区测试大药房',
  sign_no: infno === '9001' ? '' : signNo,
  input,
});
async function signIn(url: string, msgid: string): Promise<string> {
  const r = await post(url, env('9001', msgid, { signIn: { opter_no: 'op', mac: '00:00:00:00:00:00', ip: '127.0.0.1' } }));
  assert.equal(r.infcode, 0, r.err_msg);
  signNo = r.output.signinoutb.sign_no;
  return signNo;
}

const saleEnv = (msgid: string) =>
  env('2102', msgid, {
    druginfo: { psn_no: 'P1', insutype: '390', mdtrt_cert_type: '02', mdtrt_cert_no: 'x', med_type: '41', dise_codg: 'M03900', begntime: '2024-08-01 10:00:00', medfee_sumamt: '20.00', invono: 'R-1', medins_setl_id: 'S-1', acct_used_flag: '0' },
    drugdetail: [{ feedetl_sn: 'F1', rx_circ_flag: '0', fee_ocur_time: '2024-08-01 10:00:00', pric: '10.00', cnt: '2', med_list_codg: 'X1', medins_list_codg: 'OWN1', det_item_fee_sumamt: '20.00' }],
  });
const sale = saleEnv('P53090100001202408011000000099');

test('bad requests get an infcode -1 reply naming the problem; unknown transactions are refused; 9001 signs in', async () => {
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  try {
    assert.match((await post(sim.url, '{not json')).err_msg, /not JSON/);
    assert.match((await post(sim.url, { infno: '2102', msgid: 'short', input: {} })).err_msg, /msgid/);
    assert.match((await post(sim.url, env('9999', 'P53090100001202408011000000001', {}))).err_msg, /not supported/);
    const sign = await post(sim.url, env('9001', 'P53090100001202408011000000002', { signIn: { opter_no: 'op', ip: '127.0.0.1' } }));
    assert.equal(sign.infcode, 0);
    assert.match(sign.output.signinoutb.sign_no, /^SIM/);
    assert.match(sign.inf_refmsgid, /^\d{30}$/);
    signNo = sign.output.signinoutb.sign_no;
    const noLines = await post(sim.url, env('2102', 'P53090100001202408011000000003', { druginfo: sale.input.druginfo, drugdetail: [] }));
    assert.equal(noLines.infcode, -1);
    assert.match(noLines.err_msg, /input\.drugdetail is required/);
    const unknownSetl = await post(sim.url, env('2103', 'P53090100001202408011000000004', { data: { setl_id: 'NOPE', mdtrt_id: 'NOPE', psn_no: 'P1' } }));
    assert.match(unknownSetl.err_msg, /结算信息不存在/);
  } finally {
    await sim.close();
  }
});

test('what the simulator stored survives its restart: a repeated msgid after a restart is still the same message', async () => {
  const dir = tempDir('lbc-sim-');
  let sim = await startSimulator({ dataDir: dir });
  await signIn(sim.url, 'P53090100001202408011000000008');
  const sale = saleEnv('P53090100001202408011000000009');
  const first = await post(sim.url, sale);
  assert.equal(first.infcode, 0);
  assert.equal(first.output.setlinfo.medfee_sumamt, '20.00');
  await sim.close();
  sim = await startSimulator({ dataDir: dir });
  try {
    const again = await post(sim.url, sale);
    assert.equal(again.output.setlinfo.setl_id, first.output.setlinfo.setl_id);
    assert.match(again.warn_msg, /repeated msgid/);
    const stats = (await (await fetch(new URL('/admin/stats', sim.url))).json()) as Record<string, number>;
    assert.equal(stats.settlements, 1);
    assert.equal(stats.repeats, 1);
    const list = (await (await fetch(new URL('/admin/settlements?code=P53090100001', sim.url))).json()) as { items: { medins_setl_id: string }[] };
    assert.deepEqual(list.items.map((i) => i.medins_setl_id), ['S-1']);
    assert.equal(first.output.setlinfo.medins_setl_id, sale.msgid, 'the reply\'s medins_setl_id holds the sender\'s msgid');
  } finally {
    await sim.close();
  }
});

test('strict like the reference: a business message before 9001, a missing required field, a reused msgid with other content are refused; none of them settles', async () => {
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  try {
    signNo = '';
    const early = await post(sim.url, saleEnv('P53090100001202408011000000011'));
    assert.equal(early.infcode, -1);
    assert.match(early.err_msg, /9001/);
    signNo = 'FORGED';
    assert.match((await post(sim.url, saleEnv('P53090100001202408011000000011'))).err_msg, /sign_no invalid/);
    await signIn(sim.url, 'P53090100001202408011000000012');
    for (const [path, drop] of [
      ['druginfo', 'acct_used_flag'],
      ['druginfo', 'medfee_sumamt'],
      ['drugdetail', 'medins_list_codg'],
    ] as const) {
      const e = saleEnv('P53090100001202408011000000013');
      const node = path === 'druginfo' ? (e.input.druginfo as Record<string, unknown>) : (e.input.drugdetail as Record<string, unknown>[])[0]!;
      delete node[drop];
      const r = await post(sim.url, e);
      assert.equal(r.infcode, -1);
      assert.match(r.err_msg, new RegExp(`${path}(\\[0\\])?\\.${drop} is required`));
    }
    const noName = { ...saleEnv('P53090100001202408011000000014'), fixmedins_name: '' };
    assert.match((await post(sim.url, noName)).err_msg, /fixmedins_name is required/);
    const longOtp = env('2201', 'P53090100001202408011000000015', {
      data: { psn_no: 'P1', insutype: '390', begntime: '2024-08-01 10:00:00', mdtrt_cert_type: '02', mdtrt_cert_no: 'x', ipt_otp_no: '01a231e1-fe14-7093-b9fb-dc9b2caff6b8', atddr_no: 'D1', dr_name: '甲', dept_code: 'A03', dept_name: '全科', caty: 'A03' },
    });
    assert.match((await post(sim.url, longOtp)).err_msg, /ipt_otp_no is longer than 30/);
    assert.equal(sim.stats().settlements, 0);
    const ok = await post(sim.url, saleEnv('P53090100001202408011000000016'));
    assert.equal(ok.infcode, 0, ok.err_msg);
    const other = saleEnv('P53090100001202408011000000016');
    (other.input.druginfo as Record<string, unknown>).medfee_sumamt = '30.00';
    const reused = await post(sim.url, other);
    assert.equal(reused.infcode, -1);
    assert.match(reused.err_msg, /reused with different content/);
    // The same content under the same msgid is a repeat (new inf_time and sign_no do not matter).
    const again = await post(sim.url, { ...saleEnv('P53090100001202408011000000016'), inf_time: '2024-08-01 10:05:00' });
    assert.equal(again.infcode, 0);
    assert.match(again.warn_msg, /repeated msgid/);
    assert.equal(sim.stats().settlements, 1);
    // 9002 closes the session: later business messages need a new 9001.
    const out = await post(sim.url, env('9002', 'P53090100001202408011000000017', { signOut: { sign_no: signNo, opter_no: 'op' } }));
    assert.equal(out.infcode, 0);
    assert.match((await post(sim.url, saleEnv('P53090100001202408011000000018'))).err_msg, /9001/);
  } finally {
    await sim.close();
  }
});
