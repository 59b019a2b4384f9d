// A receipt number as the journal issues it (core/store/journal.ts): S sale or T return, the day
// yyyyMMdd, then with a terminal number (several counters of one institution) "-NN-", then the
// day's sequence. The screen opens a sale for return when one is typed or scanned.
export const RECEIPT_NO = /^[ST]\d{8}(?:-\d{2}-)?\d{5,}$/;

export const isReceiptNo = (text: string): boolean => RECEIPT_NO.test(text);
