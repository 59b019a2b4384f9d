// The catalog as an import target. Pinyin initials and full pinyin of the generic and trade
// names are computed here, once per distinct name, with pinyin-pro (氨氯地平 → aldp, anlvdiping).
import { pinyin } from 'pinyin-pro';
import { CATALOG_FIELDS, validateCatalogRow, type CatalogRecord } from '../contract/catalog.ts';
import type { DB } from '../store/db.ts';
import { CatalogWriter, spacedChars, type SearchTerms } from '../store/catalog.ts';
import { garbledUpdate, isMojibakeOf } from './garble.ts';
import { importFile, importText, type ImportOptions, type ImportReport, type ImportTarget } from './engine.ts';

const NAME_FIELDS = CATALOG_FIELDS.filter((f) => f.name === 'generic_name' || f.name === 'trade_name');

const pinyinCache = new Map<string, string>();

/**
 * Pinyin words of a name: the initials and the full pinyin, each also from every later
 * syllable on, so a prefix search finds the name inside a longer one (苯磺酸氨氯地平片 →
 * bhsaldpp, …, aldpp, … and benhuangsuananlvdipingpian, …, anlvdipingpian, …).
 * 氨氯地平 → "aldp ldp anlvdiping lvdiping dipping…". Latin letters and digits are kept as they are.
 */
export function pinyinWords(name: string | null): string {
  if (!name) return '';
  const cached = pinyinCache.get(name);
  if (cached !== undefined) return cached;
  const parts = pinyin(name, { type: 'all', toneType: 'none', v: true, nonZh: 'consecutive' }) as { origin: string; pinyin: string; first: string; isZh: boolean }[];
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const initials: string[] = [];
  const full: string[] = [];
  for (const p of parts) {
    const whole = clean(p.isZh ? p.pinyin : p.origin);
    if (whole === '') continue;
    initials.push(p.isZh ? whole.slice(0, 1) : whole);
    full.push(whole);
  }
  const words = new Set<string>();
  // Suffixes of two syllables or more (a lone trailing 片 would match everything with p…).
  for (let k = 0; k < initials.length; k++) {
    if (k > 0 && initials.length - k < 2) break;
    words.add(initials.slice(k).join(''));
    words.add(full.slice(k).join(''));
  }
  const text = [...words].join(' ');
  if (pinyinCache.size > 200000) pinyinCache.clear();
  pinyinCache.set(name, text);
  return text;
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
      isEmpty: () => writer.isEmpty(),
      lookup: (key) => writer.lookup(key),
      maxRowid: () => writer.maxRowid(),
      existing: (key) => writer.existing(key),
      touch: (key, hash) => writer.touch(key, hash),
      validate: validateCatalogRow,
      guard(r, old) {
        for (const f of NAME_FIELDS) {
          const next = r[f.name as 'generic_name'];
          const prev = old[f.name as 'generic_name'];
          if (isMojibakeOf(next, prev)) return garbledUpdate(f, next!, prev!);
        }
        return null;
      },
      write: (r, hash, now, isNew) => writer.write(r, searchTerms(r), hash, now, isNew),
      finish: (written) => writer.finish(written),
    };
  },
};

export function importCatalogFile(db: DB, file: string, options: ImportOptions = {}): ImportReport {
  return importFile(db, CATALOG_TARGET, file, options);
}

export function importCatalogText(db: DB, text: string, options: ImportOptions = {}): ImportReport {
  return importText(db, CATALOG_TARGET, text, options);
}
