// A site's column mapping: which column of its bureau's export is which field, for files whose
// headers are neither our English names nor the usual Chinese ones.
// File format (JSON): { "columns": { "psn_no": "人员编号", "certno": "证件号码", ... } }
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError, problemsFromZod } from '../contract/problems.ts';

export const MappingSchema = z
  .object({
    description: z.string().optional(),
    /** Field name → the header text in the file. */
    columns: z.record(z.string(), z.string().min(1)),
  })
  .strict();

export type ColumnMapping = z.output<typeof MappingSchema>;

export function parseMapping(raw: unknown, origin = 'mapping'): ColumnMapping {
  const parsed = MappingSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, ['mapping']);
    throw new InputError('INVALID_MAPPING', `The column mapping ${origin} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, `列映射文件 ${origin} 格式有误`, problems);
  }
  return parsed.data;
}

export function loadMapping(file: string): ColumnMapping {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError('INVALID_MAPPING', `The column mapping ${file} cannot be read as JSON: ${(e as Error).message}`, `列映射文件 ${file} 无法读取或不是有效的 JSON`, [
      { path: 'mapping', code: 'INVALID_MAPPING', message: (e as Error).message, messageZh: '无法读取列映射文件' },
    ]);
  }
  return parseMapping(raw, file);
}
