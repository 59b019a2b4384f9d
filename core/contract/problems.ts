// One shape for every refusal of bad input, whichever surface it came through
// (CLI, HTTP, IPC, files, platform replies): the field, a stable code, English for
// logs and CLI output, Chinese for the counter screen.
import type { z } from 'zod';

export interface Problem {
  /** Dotted field path, e.g. "lines.0.quantity"; "" for the whole input. */
  path: string;
  code: string;
  message: string;
  messageZh: string;
}

export interface ErrorBody {
  code: string;
  message: string;
  messageZh: string;
  problems: Problem[];
}

/** An error that carries problems a caller can show field by field. */
export class InputError extends Error {
  readonly code: string;
  readonly messageZh: string;
  readonly problems: Problem[];
  constructor(code: string, message: string, messageZh: string, problems: Problem[] = []) {
    super(message);
    this.name = 'InputError';
    this.code = code;
    this.messageZh = messageZh;
    this.problems = problems;
  }
  toBody(): ErrorBody {
    return { code: this.code, message: this.message, messageZh: this.messageZh, problems: this.problems };
  }
}

/** A business rule refused the request (not malformed input): the HTTP API answers 409. */
export class Refusal extends InputError {}

export function problem(path: string, code: string, message: string, messageZh: string): Problem {
  return { path, code, message, messageZh };
}

const ZOD_ZH: Record<string, string> = {
  invalid_type: '类型不正确或缺失',
  invalid_value: '取值不在允许范围内',
  invalid_format: '格式不正确',
  too_small: '数值或数量过小',
  too_big: '数值或数量过大',
  unrecognized_keys: '含有无法识别的字段',
  invalid_union: '不符合任何允许的格式',
  custom: '取值无效',
};

/** Turn zod issues into problems. A custom issue may carry its own Chinese text in params.zh. */
export function problemsFromZod(error: z.ZodError, prefix: (string | number)[] = []): Problem[] {
  return error.issues.flatMap((issue) => {
    // An unknown field is named itself (a strict body refuses it rather than dropping it).
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => problem([...prefix, ...issue.path, k].map(String).join('.'), issue.code, `unknown field ${JSON.stringify(k)}`, `无法识别的字段 ${k}`));
    }
    const path = [...prefix, ...issue.path].map(String).join('.');
    const params = (issue as { params?: { zh?: string } }).params;
    const zh = params?.zh ?? ZOD_ZH[issue.code] ?? '取值无效';
    return problem(path, issue.code, issue.message, zh);
  });
}

export function invalidRequest(problems: Problem[]): InputError {
  const first = problems[0];
  const where = first ? ` (${first.path || 'input'}: ${first.message})` : '';
  return new InputError('INVALID_REQUEST', `The request is invalid${where}`, '请求内容有误', problems);
}

/** Parse with a zod schema or throw an InputError that names every bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, prefix: (string | number)[] = []): T {
  const result = schema.safeParse(input);
  if (!result.success) throw invalidRequest(problemsFromZod(result.error, prefix));
  return result.data;
}
