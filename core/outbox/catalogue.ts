// Catalogue transactions: 1312 医保目录信息查询 pages the national list into the local catalog
// (new national codes added; an item we hold keeps its own code, prices and flags, only its
// 甲乙 class follows the platform), and 3301 目录对照 uploads our own codes' mapping to the
// national codes. 1301 西药中成药目录 comes as a file: 1301 names it, 9102 downloads the zip, whose
// text file (UTF-8, one drug a line, tab-separated, no header, the columns of A1o OutputDownload13)
// is merged the same way. The zip is bounded while it is read (core/platform/zipfile.ts).
import type { Institution } from '../contract/institution.ts';
import { buildEnvelope, outputSchemaFor, type EnvelopeContext } from '../platform/envelope.ts';
import { importCatalogText } from '../import/catalog.ts';
import type { ImportReport } from '../import/engine.ts';
import { getCatalogItem } from '../store/catalog.ts';
import { nextMsgid } from '../store/outbox.ts';
import { queryContext, type IdentifyDeps } from './identify.ts';
import { serviceDate } from '../clock/index.ts';
import { readZip, ZipRefused, DEFAULT_ZIP_LIMITS, type ZipLimits } from '../platform/zipfile.ts';
import { InputError } from '../contract/problems.ts';

const CLASS: Record<string, '甲' | '乙'> = { '01': '甲', '02': '乙' };
const MAX_PAGES = 1000;

export interface CatalogueDownload {
  pages: number;
  rows: number;
  report: ImportReport;
}

async function signedContext(d: IdentifyDeps, inst: Institution): Promise<EnvelopeContext> {
  const base = queryContext(d, inst);
  return { ...base, signNo: await d.session.signNo(base) };
}

/** National rows merged into the catalog: a new code is added; an item we hold keeps its own fields and takes only the 甲乙 class. */
function mergeNational(d: IdentifyDeps, rows: readonly NationalRow[]): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  for (const row of rows) {
    if (row.valid === false) continue; // no longer valid on the national list
    const old = getCatalogItem(d.db, row.code);
    if (old) {
      records.push({ ...old, drug_class: row.drugClass ?? old.drug_class });
      continue;
    }
    const fresh: Record<string, unknown> = { code: row.code, generic_name: row.name, drug_class: row.drugClass };
    for (const [k, v] of Object.entries(row.extra ?? {})) if (v) fresh[k] = v;
    records.push(fresh);
  }
  return records;
}

/** Merged records into the catalog through the import engine (nothing to import is an empty report, not an error). */
function importRecords(d: IdentifyDeps, records: Record<string, unknown>[]): ImportReport {
  if (records.length === 0) {
    return { kind: 'catalog', format: 'json', encoding: 'utf8', rows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, rolledBack: false, ignoredColumns: [], absentFields: [], rejections: [], rejectionsTruncated: false, ms: 0, rowsPerSecond: 0 };
  }
  return importCatalogText(d.db, JSON.stringify(records), { format: 'json', now: d.now });
}

interface NationalRow {
  code: string;
  name: string;
  drugClass: '甲' | '乙' | null;
  valid: boolean;
  /** Catalog fields the row carries beyond the name (1301 files: trade name, form, spec, maker, approval number). */
  extra?: Partial<Record<'trade_name' | 'dosage_form' | 'spec' | 'manufacturer' | 'approval_no', string>>;
}

/** Pages 1312 from `since` (updt_time, yyyy-MM-dd HH:mm:ss) and merges the drugs into the catalog through the import engine. */
export async function downloadCatalogue(d: IdentifyDeps, inst: Institution, o: { since?: string; pageSize?: number } = {}): Promise<CatalogueDownload> {
  const ctx = await signedContext(d, inst);
  const pageSize = o.pageSize ?? 500;
  const records: Record<string, unknown>[] = [];
  let page = 1;
  let pages = 1;
  do {
    const input = { data: { insuplc_admdvs: ctx.region.mdtrtareaAdmvs, updt_time: o.since ?? '2000-01-01 00:00:00', page_num: String(page), page_size: String(pageSize) } };
    const r = await d.client.send(buildEnvelope('1312', nextMsgid(d.db, inst.code, d.now()), input, ctx, d.now()), outputSchemaFor('1312'), ctx.region.transport.path);
    if (r.kind !== 'reply') throw new Error(`1312 page ${page}: ${r.error}`);
    if (r.reply.infcode !== 0) throw new Error(`1312 page ${page} refused: ${r.reply.err_msg}`);
    records.push(...mergeNational(d, r.reply.output.data.map((row) => ({ code: row.hilist_code, name: row.hilist_name, drugClass: CLASS[row.chrgitm_lv ?? ''] ?? null, valid: row.vali_flag !== '0' }))));
    pages = Math.min(MAX_PAGES, r.reply.output.pages ?? (r.reply.output.data.length < pageSize ? page : page + 1));
    page++;
  } while (page <= pages);
  const report = importRecords(d, records);
  return { pages: page - 1, rows: records.length, report };
}

/** The 1301 file's columns this product reads (A1o OutputDownload13 data1301, 0-based; the file has 92). */
export const COLUMNS_1301 = { code: 0, tradeName: 1, genericName: 3, dosageFormName: 10, spec: 13, manufacturer: 53, approvalNo: 61, valid: 78, version: 82, drugClass: 91 } as const;
export const COLUMN_COUNT_1301 = 92;
const MAX_FILE_ROWS = 500_000;

/** 国家医保药品目录甲乙类标识 as the files write it. */
function classOf(text: string): '甲' | '乙' | null {
  const t = text.trim();
  if (/^(甲|甲类|01|1|a)$/i.test(t)) return '甲';
  if (/^(乙|乙类|02|2|b)$/i.test(t)) return '乙';
  return null;
}

/** The rows of a 1301 text file; a line too short to hold a code and a name is counted, not taken. */
export function parse1301Text(text: string): { rows: NationalRow[]; skipped: { line: number; reason: string }[]; version: string | null } {
  const rows: NationalRow[] = [];
  const skipped: { line: number; reason: string }[] = [];
  let version: string | null = null;
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.length > MAX_FILE_ROWS + 1) throw new InputError('CATALOGUE_FILE_TOO_LONG', `1301 file has ${lines.length} lines, more than ${MAX_FILE_ROWS}`, '目录文件行数过多');
  const c = COLUMNS_1301;
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const cols = line.split('\t');
    if (cols.length > 4 * COLUMN_COUNT_1301) return void skipped.push({ line: i + 1, reason: `${cols.length} columns` });
    const code = (cols[c.code] ?? '').trim();
    const name = (cols[c.genericName] ?? '').trim();
    if (!code || !name) return void skipped.push({ line: i + 1, reason: 'no 医疗目录编码 or 药品通用名' });
    const at = (k: number) => (cols[k] ?? '').trim();
    const v = at(c.version);
    if (v && (version === null || v > version)) version = v;
    rows.push({
      code,
      name,
      drugClass: classOf(at(c.drugClass)),
      valid: at(c.valid) !== '0',
      extra: { trade_name: at(c.tradeName), dosage_form: at(c.dosageFormName), spec: at(c.spec), manufacturer: at(c.manufacturer), approval_no: at(c.approvalNo) },
    });
  });
  return { rows, skipped, version };
}

export interface CatalogueFileDownload {
  file: string;
  /** Rows the file holds (data_cn, as the platform declared it). */
  declared: number | null;
  rows: number;
  skipped: { line: number; reason: string }[];
  /** The highest 版本号 in the file: the `ver` to ask for next time. */
  version: string | null;
  report: ImportReport;
}

/**
 * 1301 西药中成药目录 from version `ver` ('0' = everything): 1301 names the file, 9102 downloads it
 * (fsDownloadIn{file_qury_no, filename "plc", fixmedins_code}; A1i Input_9102: 下载【1301-1319】生成的文件，固定传入"plc"),
 * the zip is read within `limits` and its text merged into the catalog.
 */
export async function downloadCatalogueFile(d: IdentifyDeps, inst: Institution, o: { ver?: string; limits?: ZipLimits } = {}): Promise<CatalogueFileDownload> {
  const ctx = await signedContext(d, inst);
  const limits = o.limits ?? DEFAULT_ZIP_LIMITS;
  const path = ctx.region.transport.path;
  const named = await d.client.send(buildEnvelope('1301', nextMsgid(d.db, inst.code, d.now()), { data: { ver: o.ver ?? '0' } }, ctx, d.now()), outputSchemaFor('1301'), path);
  if (named.kind !== 'reply') throw new InputError('CATALOGUE_DOWNLOAD_FAILED', `1301: ${named.error}`, '目录下载失败：医保平台无应答');
  if (named.reply.infcode !== 0) throw new InputError('CATALOGUE_DOWNLOAD_REFUSED', `1301 refused: ${named.reply.err_msg}`, `医保平台拒绝目录下载：${named.reply.err_msg}`);
  const file = named.reply.output;
  const got = await d.client.download(
    buildEnvelope('9102', nextMsgid(d.db, inst.code, d.now()), { fsDownloadIn: { file_qury_no: file.file_qury_no, filename: 'plc', fixmedins_code: inst.code } }, ctx, d.now()),
    path,
    limits.maxZipBytes,
  );
  if (got.kind === 'reply') throw new InputError('CATALOGUE_DOWNLOAD_REFUSED', `9102 ${file.file_qury_no}: ${got.reply.infcode === 0 ? 'a JSON reply instead of the file' : `refused: ${got.reply.err_msg}`}`, '医保平台未返回目录文件');
  if (got.kind !== 'file') throw new InputError('CATALOGUE_DOWNLOAD_FAILED', `9102 ${file.file_qury_no}: ${got.error}`, '目录文件下载失败');
  let entries: Map<string, Uint8Array>;
  try {
    entries = readZip(got.bytes, limits);
  } catch (e) {
    if (e instanceof ZipRefused) throw new InputError('CATALOGUE_FILE_REFUSED', `9102 ${file.file_qury_no} (${file.filename}): ${e.message}`, `目录文件有误：${e.zh}`);
    throw e;
  }
  const texts = [...entries].filter(([name]) => /\.txt$/i.test(name));
  if (texts.length === 0) throw new InputError('CATALOGUE_FILE_REFUSED', `9102 ${file.file_qury_no}: the zip holds no .txt file (${[...entries.keys()].join(', ')})`, '目录文件中没有目录数据');
  const rows: NationalRow[] = [];
  const skipped: { line: number; reason: string }[] = [];
  let version: string | null = null;
  for (const [, bytes] of texts) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new InputError('CATALOGUE_FILE_REFUSED', `9102 ${file.file_qury_no}: the text is not UTF-8`, '目录文件编码有误');
    }
    const p = parse1301Text(text);
    rows.push(...p.rows);
    skipped.push(...p.skipped.slice(0, 100));
    if (p.version && (version === null || p.version > version)) version = p.version;
  }
  const records = mergeNational(d, rows);
  const report = importRecords(d, records);
  return { file: file.filename, declared: file.data_cn, rows: records.length, skipped, version, report };
}

/** 3301 目录对照: our own codes (own_code) mapped to the national codes, in batches. */
export async function uploadCatalogueMapping(d: IdentifyDeps, inst: Institution, items: readonly { code: string; ownCode: string; name: string; spec: string | null; form: string | null; approvalNo: string | null }[]): Promise<{ sent: number; refused: { code: string; reason: string }[] }> {
  const ctx = await signedContext(d, inst);
  const refused: { code: string; reason: string }[] = [];
  let sent = 0;
  const today = serviceDate(d.now());
  for (let i = 0; i < items.length; i += 100) {
    const batch = items.slice(i, i + 100);
    const data = batch.map((it) => ({
      fixmedins_hilist_id: it.ownCode,
      fixmedins_hilist_name: it.name,
      list_type: '101',
      med_list_codg: it.code,
      begndate: today,
      enddate: '',
      aprvno: it.approvalNo ?? '',
      dosform: it.form ?? '',
      exct_cont: '',
      item_cont: '',
      prcunt: '',
      spec: it.spec ?? '',
      pacspec: '',
      memo: '',
    }));
    const r = await d.client.send(buildEnvelope('3301', nextMsgid(d.db, inst.code, d.now()), { data }, ctx, d.now()), outputSchemaFor('3301'), ctx.region.transport.path);
    if (r.kind !== 'reply') throw new Error(`3301: ${r.error}`);
    if (r.reply.infcode !== 0) for (const it of batch) refused.push({ code: it.code, reason: r.reply.err_msg ?? '' });
    else sent += batch.length;
  }
  return { sent, refused };
}
