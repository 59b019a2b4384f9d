// The platform simulator on its own: the envelope, bad requests answered (never a crash), its
// own SQLite file kept across restarts, the admin endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../core/simulator/index.ts';
import { tempDir } from '../helpers/settlement.ts';

const post = async (url: string, body: unknown) => (await (await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) })).json()) as Record<string, any>;
const env = (infno: string, msgid: string, input: Record<string, unknown>) => ({ infno, msgid, fixmedins_code: 'P53090100001', mdtrtarea_admvs: '530900', input });

test('bad requests get an infcode -1 reply naming the problem; unknown transactions are refused; 9001 signs in', async () => {
  const sim = await startSimulator({ dataDir: tempDir('lbc-sim-') });
  try {
    assert.match((await post(sim.url, '{not json')).err_msg, /not JSON/);
    assert.match((await post(sim.url, { infno: '2102', msgid: 'short', input: {} })).err_msg, /msgid/);
    assert.match((await post(sim.url, env('9999', 'P53090100001202408011000000001', {}))).err_msg, /not supported/);
    const sign = await post(sim.url, env('9001', 'P53090100001202408011000000002', { signIn: { opter_no: 'op' } }));
    assert.equal(sign.infcode, 0);
    assert.match(sign.output.signinoutb.sign_no, /^SIM/);
    assert.match(sign.inf_refmsgid, /^\d{30}$/);
    const noLines = await post(sim.url, env('2102', 'P53090100001202408011000000003', { druginfo: { psn_no: 'P1', insutype: '390' }, drugdetail: [] }));
    assert.equal(noLines.infcode, -1);
    assert.match(noLines.err_msg, /drugdetail is empty/);
    const unknownSetl = await post(sim.url, env('2103', 'P53090100001202408011000000004', { data: { setl_id: 'NOPE', psn_no: 'P1' } }));
    assert.match(unknownSetl.err_msg, /结算信息不存在/);
  } finally {
    await sim.close();
  }
});

test('what the simulator stored survives its restart: a repeated msgid after a restart is still the same message', async () => {
  const dir = tempDir('lbc-sim-');
  const sale = env('2102', 'P53090100001202408011000000009', {
    druginfo: { psn_no: 'P1', insutype: '390', mdtrt_cert_type: '02', mdtrt_cert_no: 'x', med_type: '41', dise_codg: 'M03900', begntime: '2024-08-01 10:00:00', medfee_sumamt: '20.00', medins_setl_id: 'S-1' },
    drugdetail: [{ feedetl_sn: 'F1', pric: '10.00', cnt: '2', med_list_codg: 'X1', det_item_fee_sumamt: '20.00' }],
  });
  let sim = await startSimulator({ dataDir: dir });
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
  } finally {
    await sim.close();
  }
});
