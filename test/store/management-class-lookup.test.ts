// Chongqing's management class at the counter (seed 001 §一 适用人群, §三.(一).2 报销限额): a
// diabetic on the roster with no class is class 2 (cap 1000), not refused; a roster row
// marking a diabetic class 1 is refused at import and nothing of it is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/store/db.ts';
import { seedDemoData } from '../../core/demo/seed.ts';
import { importRosterText } from '../../core/import/roster.ts';
import { lookupPatient } from '../../core/patient/index.ts';
import { findPatient } from '../../core/store/roster.ts';
import { loadPolicyBook } from '../../core/policy/index.ts';
import { syntheticCertno } from '../../core/import/synthetic.ts';

const book = loadPolicyBook(undefined);
const id = (seq: number) => syntheticCertno('500101', '1950-01-01', seq);
const HEADER = 'psn_no,certno,name,insutype,region,conditions,management_class,hypertension_grade,hypertension_risk,flagged_date';

test('reproduction 3, seed 001 §一/§三.(一).2: a Chongqing diabetic with no class is class 2 with the 1000 cap; grade and risk decide a hypertensive', () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-class-')));
  seedDemoData(db, { region: 'chongqing' });
  const r = importRosterText(db, [HEADER, `CQ1,${id(1)},张三丰,390,500101,糖尿病,,,,2024-01-01`, `CQ2,${id(2)},李四,390,500101,高血压,,一级,中危,2024-01-01`, `CQ3,${id(3)},王五,390,500101,高血压,,一级,低危,2024-01-01`].join('\n'));
  assert.deepEqual([r.inserted, r.rejected], [3, 0], JSON.stringify(r.rejections));
  const d = lookupPatient(db, book, 'CQ1', '2025-07-01');
  assert.equal(d.eligibility.eligible, true, JSON.stringify(d.eligibility.reasons));
  assert.equal(d.flags.managementClass, 2);
  assert.equal(d.cap.limit, '1000.00');
  assert.equal(lookupPatient(db, book, 'CQ2', '2025-07-01').cap.limit, '1000.00', '一级中危 is class 2');
  assert.equal(lookupPatient(db, book, 'CQ3', '2025-07-01').cap.limit, '500.00', '一级低危 is class 1');
});

test('reproduction 3, seed 001 §一: a roster row marking a diabetic class 1 is refused with the field and the reason; the other rows are kept', () => {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'lbc-class-')));
  seedDemoData(db, { region: 'chongqing' });
  const r = importRosterText(db, [HEADER, `CQ1,${id(1)},张三丰,390,500101,糖尿病,1,,,2024-01-01`, `CQ2,${id(2)},李四,390,500101,高血压,1,,,2024-01-01`].join('\n'));
  assert.deepEqual([r.inserted, r.rejected], [1, 1]);
  assert.deepEqual([r.rejections[0]!.line, r.rejections[0]!.field, r.rejections[0]!.code], [2, 'management_class', 'CLASS_CONTRADICTS_DIAGNOSIS']);
  assert.match(r.rejections[0]!.messageZh, /糖尿病属二类管理对象/);
  assert.equal(findPatient(db, { psnNo: 'CQ1' }), null);
  assert.equal(findPatient(db, { psnNo: 'CQ2' })!.management_class, 1);
});
