// Every site setting lives in one table (settings: key, value, updated_at) and goes through one
// accessor set: getSetting / setSetting for a named key, typed by SETTINGS and checked with zod
// both when written and when read back. The institution is read and written field by field (a
// site sets them one at a time) and only used once every required field is there; it is cached
// per connection (every lookup and quote needs it) and re-read after any write through
// setSetting or by another connection (SQLite's data_version).
import { z } from 'zod';
import { InstitutionSchema, type Institution } from '../contract/institution.ts';
import { InputError, problemsFromZod, type Problem } from '../contract/problems.ts';
import type { DB } from './db.ts';
import { prep as cached } from './prepared.ts';

export const INSTITUTION_KEYS = ['code', 'name', 'type', 'level', 'policy', 'region', 'platformEndpoint', 'annualCap'] as const;
export type InstitutionKey = (typeof INSTITUTION_KEYS)[number];
const REQUIRED: readonly InstitutionKey[] = ['code', 'name', 'type', 'level', 'policy', 'region'];
const PREFIX = 'institution.';

/** A setting's stored text to its value (and back), and the schema the value must satisfy. */
interface SettingCodec<T> {
  schema: z.ZodType<T>;
  decode(text: string): unknown;
  encode(value: T): string;
}
const asText = <T extends string>(schema: z.ZodType<T>): SettingCodec<T> => ({ schema, decode: (t) => t, encode: (v) => v });
const asJson = <T>(schema: z.ZodType<T>): SettingCodec<T> => ({
  schema,
  decode: (t) => {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return undefined;
    }
  },
  encode: (v) => JSON.stringify(v),
});
const inst = InstitutionSchema.shape;

/** Every setting the counter keeps. A key not listed here cannot be read or written. */
export const SETTINGS = {
  'institution.code': asText(inst.code),
  'institution.name': asText(inst.name),
  'institution.type': asText(inst.type),
  'institution.level': { schema: inst.level, decode: (t: string) => (/^\d$/.test(t) ? Number(t) : t), encode: (v: 1 | 2 | 3) => String(v) } satisfies SettingCodec<1 | 2 | 3>,
  'institution.policy': asText(inst.policy),
  'institution.region': asText(inst.region),
  'institution.platformEndpoint': asText(z.string().url()),
  'institution.annualCap': asText(inst.annualCap.unwrap().unwrap() as z.ZodType<string>),
  /** Whether the institution is public (公立): who may file patients in some regions. */
  'filing.public': asText(z.enum(['yes', 'no'])),
  /** The platform transaction codes filing uses: national 2503/2504 or local 2562/2563. */
  'filing.codes': asText(z.enum(['national', 'local'])),
  /** Printer names and layouts per document (receipt, prescription). */
  'counter.printers': asJson(z.record(z.string(), z.string())),
  /** The hub link's cursors: the last journal seq pushed, the roster version pulled. */
  /** This counter's link to its group's hub (core/hub/client.ts); unset: the counter works on its own. */
  'hub.link': asJson(
    z.strictObject({ url: z.url(), counterId: z.string().min(1).max(64), secret: z.string().min(16).max(256), ca: z.string().max(20_000).optional() }),
  ),
  'hub.pushedSeq': asText(z.string().regex(/^\d{1,15}$/, 'a whole number')),
  'hub.rosterVersion': asText(z.string().regex(/^\d{1,15}$/, 'a whole number')),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K] extends SettingCodec<infer T> ? T : never;

function codec<K extends SettingKey>(key: K): SettingCodec<SettingValue<K>> {
  const c = (SETTINGS as Record<string, SettingCodec<unknown>>)[key];
  if (!c) throw new InputError('UNKNOWN_SETTING', `unknown setting ${key}`, `未知的配置项 ${key}`, [{ path: key, code: 'UNKNOWN_SETTING', message: `unknown setting ${key}`, messageZh: `未知的配置项 ${key}` }]);
  return c as SettingCodec<SettingValue<K>>;
}

function invalidStored(key: string, error: z.ZodError | null): InputError {
  const problems = error ? problemsFromZod(error, [key]) : [{ path: key, code: 'INVALID_SETTING', message: 'not valid JSON', messageZh: '格式有误' }];
  return new InputError('SETTINGS_INVALID', `The stored setting ${key} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, `本机配置项 ${key} 有误`, problems);
}

/** A setting's value (checked against its schema), or null when unset. Throws SETTINGS_INVALID when the stored text is not valid. */
export function getSetting<K extends SettingKey>(db: DB, key: K): SettingValue<K> | null {
  const c = codec(key);
  const row = cached(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  if (row === undefined) return null;
  const raw = c.decode(row.value);
  const parsed = raw === undefined ? null : c.schema.safeParse(raw);
  if (!parsed?.success) throw invalidStored(key, parsed?.error ?? null);
  return parsed.data;
}

/** Writes (or with null clears) one setting after checking the value against its schema. */
export function setSetting<K extends SettingKey>(db: DB, key: K, value: SettingValue<K> | null, now = new Date().toISOString()): void {
  const c = codec(key);
  institutionCache.delete(db);
  if (value === null) {
    cached(db, 'DELETE FROM settings WHERE key = ?').run(key);
    return;
  }
  const parsed = c.schema.safeParse(value);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, [key]);
    throw new InputError('INVALID_SETTINGS', `Invalid setting ${key}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, '配置内容有误', problems);
  }
  cached(db, 'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at').run(
    key,
    c.encode(parsed.data),
    now,
  );
}

/** Every stored setting as text (the CLI's settings get). */
export function allSettings(db: DB): Record<string, string> {
  const rows = cached(db, 'SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[];
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** The institution as last read on a connection, with the data_version it was read at. */
const institutionCache = new WeakMap<DB, { dataVersion: number; institution: Institution | InputError }>();

/** Changes when another connection commits (this connection's own writes go through setSetting, which drops the cache). */
function dataVersion(db: DB): number {
  return cached(db, 'PRAGMA data_version').pluck().get() as number;
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

function readInstitution(db: DB): Institution | InputError {
  const fields = institutionFields(db);
  const absent = REQUIRED.filter((k) => fields[k] === undefined);
  if (absent.length > 0) {
    return new InputError(
      'SETTINGS_MISSING',
      `The institution is not configured: set ${absent.join(', ')} (npm run --silent cli -- settings set KEY VALUE)`,
      `尚未配置本机构信息：请设置 ${absent.join('、')}`,
      absent.map((k) => ({ path: `institution.${k}`, code: 'REQUIRED', message: `${k} is not set`, messageZh: `未设置 ${k}` })),
    );
  }
  const parsed = InstitutionSchema.safeParse(fields);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, ['institution']);
    return new InputError('SETTINGS_INVALID', `The stored institution settings are invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, '本机构配置有误', problems);
  }
  return Object.freeze(parsed.data);
}

function cachedInstitution(db: DB): Institution | InputError {
  const version = dataVersion(db);
  const hit = institutionCache.get(db);
  if (hit && hit.dataVersion === version) return hit.institution;
  const institution = readInstitution(db);
  institutionCache.set(db, { dataVersion: version, institution });
  return institution;
}

/** The configured institution, or null while any required field is unset (or one is invalid). */
export function getInstitution(db: DB): Institution | null {
  const i = cachedInstitution(db);
  return i instanceof InputError ? null : i;
}

/** The configured institution, or an InputError naming what to set. */
export function requireInstitution(db: DB): Institution {
  const i = cachedInstitution(db);
  if (i instanceof InputError) throw i;
  return i;
}

/**
 * Sets some institution fields (each validated on its own, so a site can set them one by one).
 * A null value clears an optional field. All or nothing: one bad field writes none.
 */
export function setInstitution(db: DB, values: Partial<Record<InstitutionKey, unknown>>): void {
  const problems: Problem[] = [];
  const writes: [SettingKey, string | null][] = [];
  for (const [key, raw] of Object.entries(values)) {
    if (!(INSTITUTION_KEYS as readonly string[]).includes(key)) {
      problems.push({ path: key, code: 'UNKNOWN_SETTING', message: `unknown setting ${key}; known: ${INSTITUTION_KEYS.join(', ')}`, messageZh: `未知的配置项 ${key}` });
      continue;
    }
    const k = key as InstitutionKey;
    if (raw === null || raw === undefined) {
      if (REQUIRED.includes(k)) problems.push({ path: k, code: 'REQUIRED', message: `${k} cannot be cleared`, messageZh: `${k} 不能为空` });
      else writes.push([`${PREFIX}${k}` as SettingKey, null]);
      continue;
    }
    const value = k === 'level' && typeof raw === 'string' && /^\d$/.test(raw) ? Number(raw) : raw;
    const parsed = InstitutionSchema.shape[k].safeParse(value);
    if (!parsed.success) problems.push(...problemsFromZod(parsed.error, [k]));
    else writes.push([`${PREFIX}${k}` as SettingKey, String(parsed.data)]);
  }
  if (problems.length > 0) {
    throw new InputError('INVALID_SETTINGS', `Invalid settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, '配置内容有误', problems);
  }
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const [key, value] of writes) writeText(db, key, value, now);
  })();
}

/** An institution field already checked by InstitutionSchema, through the same one-table write. */
function writeText(db: DB, key: SettingKey, text: string | null, now: string): void {
  const c = codec(key) as SettingCodec<unknown>;
  setSetting(db, key, text === null ? null : (c.schema.parse(c.decode(text)) as never), now);
}
