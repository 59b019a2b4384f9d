// The catalog as an import target. Pinyin initials and full pinyin of the generic and trade
// names are computed here, once per distinct name, with pinyin-pro (氨氯地平 → aldp, anlvdiping).
import { pinyin } from 'pinyin-pro';
import { CATALOG_FIELDS, validateCatalogRow, type CatalogRecord } from '../contract/catalog.ts';
import type { DB } from '../store/db.ts';
import { CatalogWriter, spacedChars, type SearchTerms } from '../store/catalog.ts';
import { importFile, importText, type ImportOptions, type ImportReport, type ImportTarget } from './engine.ts';

const pinyinCache = new Map<string, string>();

/** "aldp anlvdiping" for 氨氯地平: initials and full pinyin, letters and digits only. */
export function pinyinWords(name: string | null): string {
  if (!name) return '';
  const cached = pinyinCache.get(name);
  if (cached !== undefined) return cached;
  const syllables = pinyin(name, { toneType: 'none', type: 'array', v: true, nonZh: 'consecutive' }) as string[];
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const initials = syllables.map((s) => clean(s).slice(0, 1)).join('');
  const full = syllables.map(clean).join('');
  const words = initials === full ? initials : `${initials} ${full}`;
  if (pinyinCache.size > 200000) pinyinCache.clear();
  pinyinCache.set(name, words);
  return words;
}

export function searchTerms(r: CatalogRecord): SearchTerms {
  return { names: spacedChars(r.generic_name, r.trade_name), pinyin: `${pinyinWords(r.generic_name)} ${pinyinWords(r.trade_name)}`.trim() };
}

export const CATALOG_TARGET: ImportTarget<CatalogRecord> = {
  kind: 'catalog',
  fields: CATALOG_FIELDS,
  key: 'code',
  noun: { en: 'item', zh: '药品' },
  open(db: DB) {
    const writer = new CatalogWriter(db);
    return {
      hashes: () => writer.hashes(),
      existing: (key) => writer.existing(key),
      touch: (key, hash) => writer.touch(key, hash),
      validate: validateCatalogRow,
      write: (r, hash, now, isNew) => writer.write(r, searchTerms(r), hash, now, isNew),
    };
  },
};

export function importCatalogFile(db: DB, file: string, options: ImportOptions = {}): ImportReport {
  return importFile(db, CATALOG_TARGET, file, options);
}

export function importCatalogText(db: DB, text: string, options: ImportOptions = {}): ImportReport {
  return importText(db, CATALOG_TARGET, text, options);
}
