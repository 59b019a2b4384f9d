// SQL for the drug catalog: the bulk writer the importer drives, the counter's search (codes by
// B-tree, names and pinyin by FTS5), and two-disease list membership by region or county.
import type { CatalogRecord } from '../contract/catalog.ts';
import type { DB } from './db.ts';
import { prep as stmt } from './prepared.ts';

/** Columns of `catalog` that hold record fields (lists live in catalog_lists). */
export const CATALOG_COLUMNS = [
  'code', 'own_code', 'barcode', 'generic_name', 'trade_name', 'dosage_form', 'spec', 'package_size', 'package_unit',
  'min_unit', 'manufacturer', 'approval_no', 'drug_class', 'category', 'drug_group', 'vbp', 'vbp_price',
  'payment_standard', 'retail_price', 'restriction', 'negotiated', 'essential', 'consistency', 'demo', 'note',
  'usual_daily_dose', 'split_pack',
] as const;

const BOOL_COLUMNS = ['vbp', 'negotiated', 'essential', 'consistency', 'demo', 'split_pack'] as const;

/** A catalog item as the counter uses it (no lists; see listing()). */
export type CatalogItem = Omit<CatalogRecord, 'lists'>;

/** What the FTS index holds for an item: names one character per token, and pinyin words. */
export interface SearchTerms {
  names: string;
  pinyin: string;
}

/** Names as one token per character, so a phrase query matches any substring of a Chinese name. */
export function spacedChars(...texts: (string | null)[]): string {
  return texts
    .filter((t): t is string => !!t)
    .map((t) => [...t.toLowerCase()].filter((c) => c.trim() !== '').join(' '))
    .join(' ; ');
}


/** A catalog row as the counter uses it (booleans as booleans, internal columns dropped). */
export function toItem(row: Record<string, unknown>): CatalogItem {
  const out = { ...row } as Record<string, unknown>;
  for (const c of BOOL_COLUMNS) out[c] = row[c] === 1;
  delete out.id;
  delete out.pinyin;
  delete out.content_hash;
  delete out.updated_at;
  return out as unknown as CatalogItem;
}

const ITEM = `SELECT id, ${CATALOG_COLUMNS.join(', ')} FROM catalog`;
/**
 * FTS hits: the candidates ranked by name length (shortest = closest to what was typed), and
 * all columns read only for the few returned (reading 26 columns of every candidate cost 10×).
 */
const FTS_ITEMS = `SELECT c.id, ${CATALOG_COLUMNS.map((col) => `c.${col}`).join(', ')}
  FROM (SELECT k.id AS id, length(k.generic_name) AS len FROM (SELECT rowid AS r FROM catalog_fts WHERE catalog_fts MATCH ? LIMIT ?) f
        JOIN catalog k ON k.id = f.r ORDER BY len, k.id LIMIT ?) best
  JOIN catalog c ON c.id = best.id ORDER BY best.len, best.id`;

/** One item by national code, own code or barcode (in that order of preference). */
export function getCatalogItem(db: DB, code: string): CatalogItem | null {
  const text = code.trim();
  const row =
    stmt(db, `${ITEM} WHERE code = ?`).get(text.toUpperCase()) ??
    stmt(db, `${ITEM} WHERE own_code = ? LIMIT 1`).get(text) ??
    stmt(db, `${ITEM} WHERE barcode = ? LIMIT 1`).get(text);
  return row ? toItem(row as Record<string, unknown>) : null;
}

export function catalogLists(db: DB, code: string): { region: string; paymentStandard: string | null }[] {
  return (stmt(db, 'SELECT region, payment_standard FROM catalog_lists WHERE code = ? ORDER BY region').all(code) as { region: string; payment_standard: string | null }[]).map(
    (r) => ({ region: r.region, paymentStandard: r.payment_standard }),
  );
}

/** The list levels that apply to an institution's region code: county, then prefecture, then province. */
export function listLevels(region: string): string[] {
  const levels = [region, `${region.slice(0, 4)}00`, `${region.slice(0, 2)}0000`];
  return levels.filter((r, i) => levels.indexOf(r) === i);
}

export interface Listing {
  listed: boolean;
  /** The list that decided (a county's own list, else the prefecture's, else the province's); null = no list anywhere. */
  list: string | null;
  /** A payment standard the list sets for this region, overriding the catalog's. */
  paymentStandard: string | null;
}

/**
 * Whether an item is on the two-disease list that applies in a region. The most local level that
 * keeps a list at all decides (seed 000 §二.(三).5: 以县为单位建立“两病”常用药品清单).
 */
export function listing(db: DB, code: string, region: string): Listing {
  const level = deciding(db, region);
  if (level === null) return { listed: false, list: null, paymentStandard: null };
  const row = stmt(db, 'SELECT payment_standard FROM catalog_lists WHERE region = ? AND code = ?').get(level, code) as { payment_standard: string | null } | undefined;
  return { listed: row !== undefined, list: level, paymentStandard: row?.payment_standard ?? null };
}

/** The list level that decides in a region (the most local one that has any list row), or null. */
export function deciding(db: DB, region: string): string | null {
  for (const level of listLevels(region)) {
    if (stmt(db, 'SELECT 1 FROM catalog_lists WHERE region = ? LIMIT 1').get(level)) return level;
  }
  return null;
}

/**
 * The items for a sale's lines in ONE query: each code matched as national code, then own code,
 * then barcode (as getCatalogItem). Returns one entry per distinct input code that was found.
 */
export function catalogItemsByCodes(db: DB, codes: readonly string[]): Map<string, CatalogItem> {
  const wanted = [...new Set(codes.map((c) => c.trim()).filter((c) => c !== ''))];
  const out = new Map<string, CatalogItem>();
  if (wanted.length === 0) return out;
  const marks = wanted.map(() => '?').join(', ');
  const rows = stmt(db, `${ITEM} WHERE code IN (${marks}) OR own_code IN (${marks}) OR barcode IN (${marks})`).all(
    ...wanted.map((c) => c.toUpperCase()),
    ...wanted,
    ...wanted,
  ) as Record<string, unknown>[];
  for (const c of wanted) {
    const row = rows.find((r) => r.code === c.toUpperCase()) ?? rows.find((r) => r.own_code === c) ?? rows.find((r) => r.barcode === c);
    if (row) out.set(c, toItem(row));
  }
  return out;
}

/**
 * listing() for several items in ONE query: which list level decides in the region (the most
 * local one holding any row) and each item's row on it.
 */
export function listingsFor(db: DB, codes: readonly string[], region: string): Map<string, Listing> {
  const levels = listLevels(region);
  const unique = [...new Set(codes)];
  const probes = levels.map(() => `SELECT region, NULL AS code, NULL AS payment_standard, 1 AS probe FROM (SELECT region FROM catalog_lists WHERE region = ? LIMIT 1)`);
  const sql =
    unique.length > 0
      ? `${probes.join(' UNION ALL ')} UNION ALL SELECT region, code, payment_standard, 0 AS probe FROM catalog_lists WHERE region IN (${levels.map(() => '?').join(', ')}) AND code IN (${unique.map(() => '?').join(', ')})`
      : probes.join(' UNION ALL ');
  const rows = stmt(db, sql).all(...levels, ...(unique.length > 0 ? [...levels, ...unique] : [])) as { region: string; code: string | null; payment_standard: string | null; probe: number }[];
  const present = new Set(rows.filter((r) => r.probe === 1).map((r) => r.region));
  const level = levels.find((l) => present.has(l)) ?? null;
  const out = new Map<string, Listing>();
  for (const code of unique) {
    if (level === null) {
      out.set(code, { listed: false, list: null, paymentStandard: null });
      continue;
    }
    const row = rows.find((r) => r.probe === 0 && r.region === level && r.code === code);
    out.set(code, { listed: row !== undefined, list: level, paymentStandard: row?.payment_standard ?? null });
  }
  return out;
}

export interface SearchOptions {
  limit?: number;
  /** When given, each hit says whether it is on the list that applies in this region. */
  region?: string;
}

export type SearchHit = CatalogItem & { matched: 'code' | 'own_code' | 'barcode' | 'name' | 'pinyin'; listed?: boolean };

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Turns user text into an FTS5 phrase: one token per character for names. */
function namePhrase(text: string): string {
  return `"${[...text.toLowerCase()].filter((c) => /[\p{L}\p{N}]/u.test(c)).join(' ')}"`;
}

/**
 * Searches the catalog by national code, own code, barcode (exact, then prefix), generic or
 * trade name (any substring), or pinyin initials / full pinyin (prefix: aldp, anlv).
 */
export function searchCatalog(db: DB, text: string, options: SearchOptions = {}): SearchHit[] {
  const limit = Math.max(1, Math.min(options.limit ?? 20, 200));
  const q = text.trim();
  if (q === '') return [];
  const hits: SearchHit[] = [];
  const seen = new Set<number>();
  const add = (rows: unknown[], matched: SearchHit['matched']) => {
    for (const raw of rows) {
      if (hits.length >= limit) return;
      const row = raw as Record<string, unknown>;
      const id = row.id as number;
      if (seen.has(id)) continue;
      seen.add(id);
      hits.push({ ...toItem(row), matched });
    }
  };
  const ascii = /^[A-Za-z0-9\-_.]+$/.test(q);
  if (ascii) {
    const upper = q.toUpperCase();
    add(stmt(db, `${ITEM} WHERE code = ?`).all(upper), 'code');
    add(stmt(db, `${ITEM} WHERE own_code = ? LIMIT ?`).all(q, limit), 'own_code');
    add(stmt(db, `${ITEM} WHERE barcode = ? LIMIT ?`).all(q, limit), 'barcode');
    if (/\d/.test(q) && q.length >= 4) {
      add(stmt(db, `${ITEM} WHERE code >= ? AND code < ? ORDER BY code LIMIT ?`).all(upper, `${upper}\uffff`, limit), 'code');
      add(stmt(db, `${ITEM} WHERE barcode >= ? AND barcode < ? ORDER BY barcode LIMIT ?`).all(q, `${q}\uffff`, limit), 'barcode');
    }
    // Pinyin from two letters on: a single letter would match a third of the catalog.
    if (/^[A-Za-z]{2,}$/.test(q) && hits.length < limit) {
      const fts = `pinyin : "${q.toLowerCase()}" *`;
      add(stmt(db, FTS_ITEMS).all(fts, limit * 3, limit), 'pinyin');
    }
  }
  if (hits.length < limit && (CJK.test(q) || !ascii)) {
    const phrase = namePhrase(q);
    if (phrase !== '""') {
      add(stmt(db, FTS_ITEMS).all(`names : ${phrase}`, limit * 3, limit), 'name');
    }
  }
  if (options.region) {
    const level = deciding(db, options.region);
    const on = stmt(db, 'SELECT 1 FROM catalog_lists WHERE region = ? AND code = ?');
    for (const h of hits) h.listed = level !== null && on.get(level, h.code) !== undefined;
  }
  return hits;
}

export function countCatalog(db: DB): number {
  return (db.prepare('SELECT count(*) AS n FROM catalog').get() as { n: number }).n;
}

/** The catalog side of an import. */
export class CatalogWriter {
  private readonly upsert;
  private readonly insert;
  private readonly getId;
  private readonly ftsDelete;
  private readonly ftsInsert;
  private readonly listsDelete;
  private readonly listInsert;
  private readonly get;
  private readonly setHash;
  private readonly getHash;

  constructor(private readonly db: DB) {
    const cols = CATALOG_COLUMNS.join(', ');
    const params = CATALOG_COLUMNS.map(() => '?').join(', ');
    const sets = CATALOG_COLUMNS.filter((c) => c !== 'code').map((c) => `${c} = excluded.${c}`).join(', ');
    this.upsert = db.prepare(
      `INSERT INTO catalog (${cols}, pinyin, content_hash, updated_at) VALUES (${params}, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET ${sets}, pinyin = excluded.pinyin, content_hash = excluded.content_hash, updated_at = excluded.updated_at`,
    );
    this.insert = db.prepare(`INSERT INTO catalog (${cols}, pinyin, content_hash, updated_at) VALUES (${params}, ?, ?, ?)`);
    this.getId = db.prepare('SELECT id FROM catalog WHERE code = ?');
    this.ftsDelete = db.prepare('DELETE FROM catalog_fts WHERE rowid = ?');
    this.ftsInsert = db.prepare('INSERT INTO catalog_fts (rowid, names, pinyin) VALUES (?, ?, ?)');
    this.listsDelete = db.prepare('DELETE FROM catalog_lists WHERE code = ?');
    this.listInsert = db.prepare('INSERT INTO catalog_lists (code, region) VALUES (?, ?)');
    this.get = db.prepare(`${ITEM} WHERE code = ?`);
    this.setHash = db.prepare('UPDATE catalog SET content_hash = ? WHERE code = ?');
    this.getHash = db.prepare('SELECT content_hash AS hash, id AS rowid FROM catalog WHERE code = ?');
  }

  /** After a large import, merge the FTS segments into one: search p99 stays flat. */
  finish(written: number): void {
    if (written >= 10000) this.db.exec(`INSERT INTO catalog_fts (catalog_fts) VALUES ('optimize')`);
  }

  touch(code: string, hash: string): void {
    this.setHash.run(hash, code);
  }

  lookup(code: string): { hash: string; rowid: number } | undefined {
    return this.getHash.get(code) as { hash: string; rowid: number } | undefined;
  }

  /** The highest rowid: rows written from now on get higher ones (no deletes during an import); also the table's size, roughly. */
  maxRowid(): number {
    return (this.db.prepare('SELECT max(id) AS n FROM catalog').get() as { n: number | null }).n ?? 0;
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM catalog LIMIT 1').get() === undefined;
  }

  existing(code: string): CatalogRecord | null {
    const row = this.get.get(code) as Record<string, unknown> | undefined;
    if (!row) return null;
    return { ...toItem(row), lists: catalogLists(this.db, code).map((l) => l.region) };
  }

  write(r: CatalogRecord, terms: SearchTerms, hash: string, now: string, isNew: boolean): void {
    const b = (v: boolean) => (v ? 1 : 0);
    const info = (isNew ? this.insert : this.upsert).run(
      r.code, r.own_code, r.barcode, r.generic_name, r.trade_name, r.dosage_form, r.spec, r.package_size, r.package_unit,
      r.min_unit, r.manufacturer, r.approval_no, r.drug_class, r.category, r.drug_group, b(r.vbp), r.vbp_price,
      r.payment_standard, r.retail_price, r.restriction, b(r.negotiated), b(r.essential), b(r.consistency), b(r.demo), r.note,
      r.usual_daily_dose, b(r.split_pack),
      terms.pinyin, hash, now,
    );
    const id = isNew ? Number(info.lastInsertRowid) : (this.getId.get(r.code) as { id: number }).id;
    if (!isNew) this.ftsDelete.run(id);
    this.ftsInsert.run(id, terms.names, terms.pinyin);
    if (r.lists !== null) {
      if (!isNew) this.listsDelete.run(r.code);
      for (const region of r.lists) this.listInsert.run(r.code, region);
    }
  }
}

/** Items with our own code (the 3301 目录对照 rows), in code order. */
export function itemsWithOwnCode(db: DB): CatalogItem[] {
  return (db.prepare(`${ITEM} WHERE own_code IS NOT NULL ORDER BY code`).all() as Record<string, unknown>[]).map(toItem);
}

/**
 * The two-disease drugs this institution stocks, as far as the counter knows: catalog items it
 * sells (its own code or barcode, and a retail price) that are antihypertensives or antidiabetics
 * by category or by their code's ATC group (core/contract treatsOf decides which).
 */
export function stockedTwoDiseaseItems(db: DB): { code: string; genericName: string; category: 'antihypertensive' | 'antidiabetic' | 'other'; drugGroup: string | null; vbp: boolean }[] {
  const rows = stmt(
    db,
    `SELECT code, generic_name, category, drug_group, vbp FROM catalog
      WHERE retail_price IS NOT NULL AND (own_code IS NOT NULL OR barcode IS NOT NULL)
        AND (category IN ('antihypertensive', 'antidiabetic') OR code LIKE 'XA10%' OR code LIKE 'XC0%')
      ORDER BY code`,
  ).all() as { code: string; generic_name: string; category: 'antihypertensive' | 'antidiabetic' | 'other'; drug_group: string | null; vbp: number }[];
  return rows.map((r) => ({ code: r.code, genericName: r.generic_name, category: r.category, drugGroup: r.drug_group, vbp: r.vbp === 1 }));
}
