// Printing from the screen: the service renders (and counts) the document, the shell prints it.
import type { MethodOutput } from '../core/service/contract.ts';

type Settings = MethodOutput<'getSettings'>['settings'] | undefined;
export type DocumentKind = 'receipt' | 'prescription' | 'drug-list' | 'public-list' | 'test-page';

/** The site's offsets as a style on the page: the printer's own edge is not where the paper's is. */
export function withOffsets(html: string, topMm: number, leftMm: number): string {
  if (topMm === 0 && leftMm === 0) return html;
  const style = `<style>body{position:relative;top:${topMm}mm;left:${leftMm}mm}</style>`;
  return html.includes('</head>') ? html.replace('</head>', `${style}</head>`) : style + html;
}

export async function printDocument(session: string, document: DocumentKind, settlementId: string | undefined, settings: Settings, printerFor?: 'receipt' | 'prescription') {
  const receiptLike = printerFor ? printerFor === 'receipt' : document === 'receipt';
  const layout = receiptLike ? (settings?.printers.receiptLayout ?? '80mm') : (settings?.printers.prescriptionLayout ?? 'a5');
  const printer = receiptLike ? (settings?.printers.receipt ?? '') : (settings?.printers.prescription ?? '');
  const out = await window.counter!.print({ session, document, ...(settlementId ? { settlementId } : {}), layout });
  await window.counterShell!.print({
    html: withOffsets(out.html, settings?.printers.offsetTopMm ?? 0, settings?.printers.offsetLeftMm ?? 0),
    widthMm: out.pageSize.widthMm,
    heightMm: out.pageSize.heightMm,
    printer,
    archiveName: document === 'prescription' && settlementId ? `prescription-${settlementId}-${out.copy}.pdf` : undefined,
  });
  return out;
}
