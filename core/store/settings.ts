// Site settings as key/value rows. The institution is read and written field by field (a site
// sets them one at a time) and only used once every required field is there.
import { InstitutionSchema, type Institution } from '../contract/institution.ts';
import { InputError, problemsFromZod, type Problem } from '../contract/problems.ts';
import type { DB } from './db.ts';
import { prep as cached } from './prepared.ts';

export const INSTITUTION_KEYS = ['code', 'name', 'type', 'level', 'policy', 'region', 'platformEndpoint', 'annualCap'] as const;
export type InstitutionKey = (typeof INSTITUTION_KEYS)[number];
const REQUIRED: readonly InstitutionKey[] = ['code', 'name', 'type', 'level', 'policy', 'region'];
const PREFIX = 'institution.';

export function getSetting(db: DB, key: string): string | null {
  const row = cached(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value ?? null;
}

export function setSetting(db: DB, key: string, value: string | null): void {
  if (value === null) cached(db, 'DELETE FROM settings WHERE key = ?').run(key);
  else
    cached(db, 'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(
      key,
      value,
      new Date().toISOString(),
    );
}

export function allSettings(db: DB): Record<string, string> {
  const rows = db.prepare('SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Raw institution fields as stored (missing ones absent). */
export function institutionFields(db: DB): Partial<Record<InstitutionKey, unknown>> {
  const out: Partial<Record<InstitutionKey, unknown>> = {};
  // One query for all of them (every lookup and quote reads the institution).
  const rows = cached(db, `SELECT key, value FROM settings WHERE key >= '${PREFIX}' AND key < 'institution/'`).all() as { key: string; value: string }[];
  for (const { key: full, value } of rows) {
    const key = full.slice(PREFIX.length) as InstitutionKey;
    if ((INSTITUTION_KEYS as readonly string[]).includes(key)) out[key] = key === 'level' ? Number(value) : value;
  }
  return out;
}

/** The configured institution, or null while any required field is unset. */
export function getInstitution(db: DB): Institution | null {
  const fields = institutionFields(db);
  if (REQUIRED.some((k) => fields[k] === undefined)) return null;
  const parsed = InstitutionSchema.safeParse(fields);
  return parsed.success ? parsed.data : null;
}

/** The configured institution, or an InputError naming what to set. */
export function requireInstitution(db: DB): Institution {
  const fields = institutionFields(db);
  const absent = REQUIRED.filter((k) => fields[k] === undefined);
  if (absent.length > 0) {
    throw new InputError(
      'SETTINGS_MISSING',
      `The institution is not configured: set ${absent.join(', ')} (npm run --silent cli -- settings set KEY VALUE)`,
      `尚未配置本机构信息：请设置 ${absent.join('、')}`,
      absent.map((k) => ({ path: `institution.${k}`, code: 'REQUIRED', message: `${k} is not set`, messageZh: `未设置 ${k}` })),
    );
  }
  const parsed = InstitutionSchema.safeParse(fields);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, ['institution']);
    throw new InputError('SETTINGS_INVALID', `The stored institution settings are invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, '本机构配置有误', problems);
  }
  return parsed.data;
}

/**
 * Sets some institution fields (each validated on its own, so a site can set them one by one).
 * A null value clears an optional field. All or nothing: one bad field writes none.
 */
export function setInstitution(db: DB, values: Partial<Record<InstitutionKey, unknown>>): void {
  const problems: Problem[] = [];
  const writes: [string, string | null][] = [];
  for (const [key, raw] of Object.entries(values)) {
    if (!(INSTITUTION_KEYS as readonly string[]).includes(key)) {
      problems.push({ path: key, code: 'UNKNOWN_SETTING', message: `unknown setting ${key}; known: ${INSTITUTION_KEYS.join(', ')}`, messageZh: `未知的配置项 ${key}` });
      continue;
    }
    const k = key as InstitutionKey;
    if (raw === null || raw === undefined) {
      if (REQUIRED.includes(k)) problems.push({ path: k, code: 'REQUIRED', message: `${k} cannot be cleared`, messageZh: `${k} 不能为空` });
      else writes.push([PREFIX + k, null]);
      continue;
    }
    const value = k === 'level' && typeof raw === 'string' && /^\d$/.test(raw) ? Number(raw) : raw;
    const parsed = InstitutionSchema.shape[k].safeParse(value);
    if (!parsed.success) problems.push(...problemsFromZod(parsed.error, [k]));
    else writes.push([PREFIX + k, String(parsed.data)]);
  }
  if (problems.length > 0) {
    throw new InputError('INVALID_SETTINGS', `Invalid settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, '配置内容有误', problems);
  }
  db.transaction(() => {
    for (const [key, value] of writes) setSetting(db, key, value);
  })();
}
