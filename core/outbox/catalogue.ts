// Catalogue transactions: 1312 医保目录信息查询 pages the national list into the local catalog
// (new national codes added; an item we hold keeps its own code, prices and flags, only its
// 甲乙 class follows the platform), and 3301 目录对照 uploads our own codes' mapping to the
// national codes. 1301 files via 9102 need an unzip library the project does not have yet.
import type { Institution } from '../contract/institution.ts';
import { buildEnvelope, outputSchemaFor, type EnvelopeContext } from '../platform/envelope.ts';
import { importCatalogText } from '../import/catalog.ts';
import type { ImportReport } from '../import/engine.ts';
import { getCatalogItem } from '../store/catalog.ts';
import { nextMsgid } from '../store/outbox.ts';
import { queryContext, type IdentifyDeps } from './identify.ts';
import { serviceDate } from '../clock/index.ts';

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
    for (const row of r.reply.output.data) {
      if (row.vali_flag === '0') continue; // no longer valid on the national list
      const old = getCatalogItem(d.db, row.hilist_code);
      const drugClass = CLASS[row.chrgitm_lv ?? ''] ?? null;
      records.push(old ? { ...old, drug_class: drugClass ?? old.drug_class } : { code: row.hilist_code, generic_name: row.hilist_name, drug_class: drugClass });
    }
    pages = Math.min(MAX_PAGES, r.reply.output.pages ?? (r.reply.output.data.length < pageSize ? page : page + 1));
    page++;
  } while (page <= pages);
  const report = importCatalogText(d.db, JSON.stringify(records), { format: 'json', now: d.now });
  return { pages: page - 1, rows: records.length, report };
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
