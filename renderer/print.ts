// Printing from the screen: the service renders (and counts) the document, the shell prints it.
import type { MethodOutput } from '../core/service/contract.ts';

type Settings = MethodOutput<'getSettings'>['settings'] | undefined;
export type DocumentKind = 'receipt' | 'prescription' | 'drug-list' | 'public-list';

export async function printDocument(session: string, document: DocumentKind, settlementId: string | undefined, settings: Settings) {
  const receiptLike = document === 'receipt';
  const layout = receiptLike ? (settings?.printers.receiptLayout ?? '80mm') : (settings?.printers.prescriptionLayout ?? 'a5');
  const printer = receiptLike ? (settings?.printers.receipt ?? '') : (settings?.printers.prescription ?? '');
  const out = await window.counter!.print({ session, document, settlementId, layout });
  await window.counterShell!.print({
    html: out.html,
    widthMm: out.pageSize.widthMm,
    heightMm: out.pageSize.heightMm,
    printer,
    archiveName: document === 'prescription' && settlementId ? `prescription-${settlementId}-${out.copy}.pdf` : undefined,
  });
  return out;
}
