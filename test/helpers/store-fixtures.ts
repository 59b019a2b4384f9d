// Store-test fixtures: a temp database and roster rows written straight into
// the patients table (migration 10), so these tests do not depend on the importer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DB } from '../../core/store/db.ts';

export function withDb<T>(fn: (db: DB, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-d-'));
  const db = openDatabase(dir);
  try {
    return fn(db, dir);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PatientFixture {
  psn_no: string;
  name?: string;
  certno?: string | null;
  insutype?: '390' | '310';
  conditions?: 'hypertension' | 'diabetes' | 'both';
  management_class?: 1 | 2 | null;
  chronic_disease_since?: string | null;
  payment_mode?: 'fee-for-service' | 'capitation';
  capitation_institution?: string | null;
  capitation_start_month?: string | null;
  flagged_date?: string | null;
  flagged_by?: 'bureau' | 'health-commission' | 'counter' | null;
  status?: 'active' | 'stopped';
  stopped_date?: string | null;
}

export function addPatient(db: DB, p: PatientFixture): void {
  db.prepare(
    `INSERT INTO patients (psn_no, certno, name, insutype, conditions, management_class, chronic_disease_since, payment_mode, capitation_institution,
       capitation_start_month, flagged_date, flagged_by, status, stopped_date, content_hash, updated_at)
     VALUES (@psn_no, @certno, @name, @insutype, @conditions, @management_class, @chronic_disease_since, @payment_mode, @capitation_institution,
       @capitation_start_month, @flagged_date, @flagged_by, @status, @stopped_date, 'test', '2025-01-01T00:00:00Z')`,
  ).run({
    certno: null, name: `患者${p.psn_no}`, insutype: '390', conditions: 'hypertension', management_class: null, chronic_disease_since: null,
    payment_mode: 'fee-for-service', capitation_institution: null, capitation_start_month: null, flagged_date: '2024-01-01', flagged_by: 'bureau',
    status: 'active', stopped_date: null, ...p,
  });
}

export async function withDbAsync<T>(fn: (db: DB, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lbc-d-'));
  const db = openDatabase(dir);
  try {
    return await fn(db, dir);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
