// What every CLI command gets: its arguments, streams, and the shared way of reporting errors
// (English JSON on stderr, exit code 2 for bad input).
import { InputError } from '../contract/problems.ts';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  /** Whether stdout/stderr is a terminal (progress bars only then). */
  isTTY: boolean;
  /** The clock and the record-id source (the system's by default; tests pin them to compare journals). */
  now?: () => Date;
  ids?: () => string;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  /** Returns the exit code; a thrown error is reported by the dispatcher (core/cli/main.ts). */
  run(args: string[], io: CliIO): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** The JSON body an error becomes on the wire. */
export function errorBody(e: unknown): { error: { code: string; message: string; messageZh?: string; problems?: unknown[] } } {
  if (e instanceof InputError) return { error: e.toBody() };
  return { error: { code: 'INTERNAL', message: (e as Error)?.message ?? String(e) } };
}

/** Prints an error as JSON on stderr; bad input exits 2, anything else 1. */
export function reportError(io: CliIO, e: unknown): number {
  io.stderr(JSON.stringify(errorBody(e), null, 2) + '\n');
  return e instanceof InputError ? EXIT_BAD_INPUT : EXIT_FAILURE;
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError('MALFORMED_JSON', `${what} is not valid JSON: ${(e as Error).message}`, `${what} 不是有效的 JSON`, [
      { path: '', code: 'MALFORMED_JSON', message: (e as Error).message, messageZh: 'JSON 格式错误' },
    ]);
  }
}
