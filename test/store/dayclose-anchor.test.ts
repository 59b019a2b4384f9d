// The day's journal anchor (issue 13: "each day's head hash … sent in the day's reconciliation").
// 3201 has no memo field in any anchor of platform-fields.md, so by default nothing extra is sent;
// where a province allows an extension node (provinces.json statementExtension), the anchor's
// hash and record number go in it and reach the platform, equal to what `journal verify` reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openTemp, settleSale, tempDir } from '../helpers/settlement.ts';
import { referenceProblems } from '../helpers/platform-fields.ts';
import { startSimulator } from '../../core/simulator/index.ts';
import { Uploader } from '../../core/outbox/uploader.ts';
import { closeDay } from '../../core/outbox/dayclose.ts';
import { verifyJournal } from '../../core/settlement/hash.ts';
import { BUNDLED_PLATFORM_CONFIG, loadPlatformConfig, parsePlatformConfig } from '../../core/platform/config.ts';

for (const extension of [null, 'expContent'] as const) {
  test(`3201 ${extension ? `carries the day's journal anchor in ${extension} where the province allows it` : 'keeps to the reference fields by default (no memo field exists in 3201)'}`, async () => {
    const raw = JSON.parse(readFileSync(BUNDLED_PLATFORM_CONFIG, 'utf8'));
    if (extension) raw.regions.lincang.statementExtension = extension;
    const config = extension ? parsePlatformConfig(raw, 'site') : loadPlatformConfig();
    const { db } = openTemp();
    const sim = await startSimulator({ dataDir: tempDir('lbc-sim-'), config });
    const up = new Uploader(db, { endpoint: sim.url, timeoutMs: 3000, config });
    try {
      settleSale(db);
      settleSale(db, { psnNo: '53090000000000000002' });
      await up.drainOnce();
      const r = await closeDay(db, { date: '2024-08-01', endpoint: sim.url, config });
      assert.equal(r.balanced, true, JSON.stringify(r.groups));
      const sent = (sim.db.prepare(`SELECT request_json FROM sim_message WHERE infno = '3201'`).all() as { request_json: string }[]).map((m) => JSON.parse(m.request_json));
      assert.equal(sent.length, 1);
      assert.deepEqual(referenceProblems(sent[0]), []);
      const data = sent[0].input.data as Record<string, unknown>;
      const verified = verifyJournal(db);
      assert.equal(verified.ok, true);
      assert.equal(verified.lastAnchor!.hash, r.anchor.hash, 'the anchor journal verify reports is the one the day close made');
      if (extension) {
        assert.deepEqual(data[extension], { journal_head_hash: r.anchor.hash, journal_head_seq: String(r.anchor.seq) });
        assert.match(r.anchor.hash, /^[0-9a-f]{64}$/);
      } else {
        assert.deepEqual(Object.keys(data).sort(), ['acct_pay', 'clr_type', 'fixmedins_setl_cnt', 'fund_pay_sumamt', 'insutype', 'medfee_sumamt', 'setl_optins', 'stmt_begndate', 'stmt_enddate']);
      }
    } finally {
      up.close();
      await sim.close();
    }
  });
}
