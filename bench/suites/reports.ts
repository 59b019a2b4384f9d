// Reports and supervision at volume: a month of N journal records (50,000; 5,000 with --quick)
// across the four institution columns, and the monthly report and statistics built over it;
// then the supervision check of a sale against a dispensing history of M rows (200,000; 20,000).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { insertLine, insertSettlement } from '../../core/store/journal.ts';
import { insertImportedDispensing } from '../../core/store/supervision.ts';
import { buildReport, render } from '../../core/reports/index.ts';
import { superviseSale } from '../../core/supervision/index.ts';
import { loadPolicyBook } from '../../core/policy/index.ts';
import type { BenchSuite } from '../harness.ts';
import { percentile, round } from '../harness.ts';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

export const reportsSuite: BenchSuite = {
  name: 'reports',
  async run({ quick, log }) {
    const n = quick ? 5_000 : 50_000;
    const m = quick ? 20_000 : 200_000;
    const dir = mkdtempSync(join(tmpdir(), 'lbc-bench-reports-'));
    const db = openDatabase(dir);
    try {
      const cols = [
        { type: 'clinic', level: 1 },
        { type: 'clinic', level: 2 },
        { type: 'clinic', level: 3 },
        { type: 'pharmacy', level: 1 },
      ] as const;
      db.transaction(() => {
        for (let i = 0; i < n; i++) {
          const c = cols[i % 4]!;
          const id = `bench-${i}`;
          const conditions = i % 3 === 0 ? ['hypertension', 'diabetes'] : i % 3 === 1 ? ['hypertension'] : ['diabetes'];
          insertSettlement(db, {
            id, request_id: null, kind: 'sale', original_id: null, receipt_no: `S${String(i).padStart(9, '0')}`, settle_date: `2025-03-${String(1 + (i % 28)).padStart(2, '0')}`,
            settled_at: '2025-03-01T00:00:00Z', institution_code: 'H42070000001', institution_name: 'bench', institution_type: c.type, institution_level: c.level,
            psn_no: `P${i % 20_000}`, patient_json: JSON.stringify({ insutype: i % 5 === 0 ? '310' : '390', conditions }), operator_id: 'op', operator_name: 'op',
            policy_id: 'ezhou', policy_version: '2023-01-01', total: '60.00', in_scope: '60.00', fund: '30.00', patient_pay: '30.00',
            request_json: JSON.stringify({ patient: { chronicDiseaseSince: null, conditions } }), result_json: '{}', reason: null, prev_hash: '', hash: `h${i}`,
          });
          for (let k = 0; k < 2; k++) {
            insertLine(db, {
              id: `${id}-${k}`, settlement_id: id, line_no: k + 1, feedetl_sn: `S${String(i).padStart(9, '0')}${k}`, quote_line_id: `l${k}`, catalog_code: k === 0 ? 'XAMLO' : 'XMETF',
              own_code: null, name: 'drug', quantity: '1', price: '30.00', total: '30.00', in_scope: '30.00', fund: '15.00', patient_pay: '15.00', rate: '0.5', covered: 1,
              facts_json: '{"kind":"drug"}', reverses_line_id: null,
            });
          }
        }
      })();
      const t1 = process.hrtime.bigint();
      const doc = buildReport(db, 'monthly-residents', '2025-03');
      const monthlyMs = ms(t1);
      const t2 = process.hrtime.bigint();
      buildReport(db, 'statistics', '2025-03');
      const statisticsMs = ms(t2);
      const t3 = process.hrtime.bigint();
      await render(doc, 'xlsx');
      const xlsxMs = ms(t3);
      log(`monthly report over ${n} records: ${monthlyMs.toFixed(0)} ms; statistics ${statisticsMs.toFixed(0)} ms; xlsx ${xlsxMs.toFixed(0)} ms`);

      const drugs = ['氨氯地平', '硝苯地平', '缬沙坦', '二甲双胍', '阿卡波糖'];
      const history = Array.from({ length: m }, (_, i) => ({
        psnNo: `P${i % 20_000}`, date: `2025-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`, code: null,
        genericName: drugs[i % drugs.length]!, drugGroup: i % 5 < 2 ? '钙通道阻滞剂类' : null, days: 28, institution: 'H1',
      }));
      insertImportedDispensing(db, history, new Date().toISOString());
      const book = loadPolicyBook();
      const samples: number[] = [];
      for (let i = 0; i < (quick ? 300 : 2000); i++) {
        const t = process.hrtime.bigint();
        superviseSale(db, book, { policy: 'ezhou', psnNo: `P${(i * 7919) % 20_000}`, date: '2025-12-31', lines: [{ id: 'a', code: 'X', genericName: '氨氯地平', drugGroup: '钙通道阻滞剂类', quantity: '2', packageSize: '28', dailyDose: '1' }] });
        samples.push(ms(t));
      }
      log(`supervision check with ${m} history rows: p50 ${percentile(samples, 50).toFixed(3)} ms, p99 ${percentile(samples, 99).toFixed(3)} ms`);
      return {
        [`monthly_report_ms_at_${n}_records`]: round(monthlyMs, 1),
        [`statistics_report_ms_at_${n}_records`]: round(statisticsMs, 1),
        monthly_report_xlsx_ms: round(xlsxMs, 1),
        [`supervision_check_p99_ms_at_${m}_history`]: round(percentile(samples, 99), 3),
      };
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
