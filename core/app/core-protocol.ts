// The typed protocol between the desktop shell's main process and the core process it forks
// (Electron utilityProcess, as Actual runs loot-core): requests go down, replies come up, each
// side checks what it receives with these schemas. The core process owns the database, the
// plugin API's HTTP server, the uploader and reports, so a long report never freezes the window.
import { z } from 'zod';
import { InputError } from '../contract/problems.ts';
import { METHOD_NAMES, type MethodName } from '../service/contract.ts';
import { ServiceRefusal } from '../service/errors.ts';

const requestId = z.number().int().nonnegative();

const ProblemSchema = z.object({ path: z.string(), code: z.string(), message: z.string(), messageZh: z.string() });

/** A refusal or failure as it crosses the process boundary (InputError's body, and whether the service refused it). */
export const CoreErrorBody = z.object({
  code: z.string().max(64),
  message: z.string().max(10_000),
  messageZh: z.string().max(2_000),
  problems: z.array(ProblemSchema).max(500),
  refusal: z.boolean(),
});
export type CoreErrorBody = z.infer<typeof CoreErrorBody>;

/** Any thrown value as it crosses a process boundary: an InputError keeps its field problems. */
export function errorBody(e: unknown): CoreErrorBody {
  // Cut to the schema's bounds, so an oversized message still crosses as a refusal.
  if (e instanceof InputError) {
    const b = e.toBody();
    return { code: b.code.slice(0, 64), message: b.message.slice(0, 10_000), messageZh: b.messageZh.slice(0, 2_000), problems: b.problems.slice(0, 500), refusal: e instanceof ServiceRefusal };
  }
  return { code: 'INTERNAL', message: String((e as Error)?.message ?? e).slice(0, 10_000), messageZh: '系统内部错误', problems: [], refusal: false };
}

export const OpenRequest = z.object({
  kind: z.literal('open'),
  id: requestId,
  dataDir: z.string().min(1).max(4096),
  /** The plugin API's loopback port; when it is taken the core moves to a free one. */
  port: z.number().int().min(0).max(65535),
  /** Seed the demo data for this region into an empty data directory (`npm start` with Electron). */
  demoRegion: z.string().max(40).nullable(),
});

export const CallRequest = z.object({
  kind: z.literal('call'),
  id: requestId,
  method: z.string().refine((m): m is MethodName => (METHOD_NAMES as readonly string[]).includes(m), { message: 'not a service method' }),
  input: z.unknown(),
});

/** Wait for running calls, stop the uploader and the HTTP server, close the database, then exit: the exit code is the answer. */
export const CloseRequest = z.object({ kind: z.literal('close') });

export const CoreRequest = z.discriminatedUnion('kind', [OpenRequest, CallRequest, CloseRequest]);
export type CoreRequest = z.infer<typeof CoreRequest>;

export const CoreReply = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('reply'), id: requestId, ok: z.literal(true), value: z.unknown() }),
  z.object({ kind: z.literal('reply'), id: requestId, ok: z.literal(false), error: CoreErrorBody }),
]);
export type CoreReply = z.infer<typeof CoreReply>;

/** What `open` answers with: where the plugin API listens and which folders the core found. */
export const OpenedValue = z.object({ url: z.string(), resources: z.string(), renderer: z.string().nullable(), pid: z.number().int() });
export type OpenedValue = z.infer<typeof OpenedValue>;
