// The OpenAPI 3.1 description of the plugin API, generated from the same method definitions the
// server validates and authorises with: exactly the methods open to the plugin token, so the
// document cannot drift from what is enforced. The screen's own methods are not part of it.
import { z } from 'zod';
import { METHODS, PLUGIN_METHODS } from '../service/contract.ts';

const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    messageZh: z.string(),
    problems: z.array(z.object({ path: z.string(), code: z.string(), message: z.string(), messageZh: z.string() })),
  }),
});

function schema(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const name of PLUGIN_METHODS) {
    const m = METHODS[name];
    paths[`/v1/${name}`] = {
      post: {
        operationId: name,
        summary: m.summary,
        tags: ['plugin'],
        security: [{ bearer: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: schema(m.input, 'input') } } },
        responses: {
          '200': { description: 'done', content: { 'application/json': { schema: schema(m.output, 'output') } } },
          '400': { description: 'the request is invalid: every bad field with its path and reason (English and Chinese)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          '401': { description: 'missing or wrong bearer token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          '409': { description: 'refused by a business rule (e.g. already reversed, not signed in)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '两病柜台 local plugin API',
      version,
      description:
        'Loopback-only API of the two-disease counter for the host POS/HIS. Authenticate with `Authorization: Bearer <token>`; the token is the file `api-token` in the counter data directory (mode 0600). Money is a decimal string in yuan. These are the methods open to the plugin token; the counter screen\'s own methods (settings, operators, reports, printing) answer it with 403.',
    },
    servers: [{ url: 'http://127.0.0.1' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: schema(ErrorBodySchema, 'output') },
    },
    paths,
  };
}
