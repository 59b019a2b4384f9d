// A report as data: titled tables of typed columns, notes, and an optional chart. Every format
// (json, csv, xlsx, html, pdf) renders this one shape.
export type ColumnType = 'text' | 'int' | 'money';

export interface Column {
  key: string;
  label: string;
  labelZh: string;
  type: ColumnType;
  /** A heading spanning this and following columns (一级及以下医疗机构 over 医疗费/报销额). */
  group?: string;
}

export interface ReportTable {
  id: string;
  title: string;
  titleZh: string;
  columns: Column[];
  rows: Record<string, string | number>[];
}

export interface BarChart {
  title: string;
  titleZh: string;
  categories: string[];
  series: { name: string; values: string[] }[];
  /** A horizontal line (a cap, a budget) to read the bars against. */
  reference?: { label: string; value: string };
}

export interface ReportDoc {
  name: string;
  title: string;
  titleZh: string;
  period: { month: string; from: string; to: string };
  institution: { code: string | null; name: string | null };
  generatedAt: string;
  tables: ReportTable[];
  summary: Record<string, string | number>;
  notes: string[];
  chart?: BarChart;
}

export const money = (key: string, label: string, labelZh: string, group?: string): Column => ({ key, label, labelZh, type: 'money', ...(group ? { group } : {}) });
export const int = (key: string, label: string, labelZh: string, group?: string): Column => ({ key, label, labelZh, type: 'int', ...(group ? { group } : {}) });
export const text = (key: string, label: string, labelZh: string): Column => ({ key, label, labelZh, type: 'text' });
