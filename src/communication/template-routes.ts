import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { DRAFT_VARIABLES, ENGINE_TEMPLATE_VARIABLES, type MessageTemplate } from './message-template.ts';

const TemplateSchema = z
  .object({
    id: z.string(),
    audience: z.enum(['customers', 'internal']),
    draftable: z.boolean().describe('People may draft from it; false for the ones the engine sends'),
    subject: z.string().describe('The subject line as written, with its {{placeholders}}'),
    body: z.string(),
    placeholders: z.array(z.string()).describe('The variables the template uses, sorted'),
    fields: z
      .array(z.string())
      .describe(
        'The placeholders a person writes when drafting (whatHappened, ...); the rest Vigil fills in',
      ),
  })
  .meta({ id: 'MessageTemplate' });

/** Drafting variables a person types; `recipientName` is filled per recipient, so it is no field. */
const WRITTEN = new Set<string>(DRAFT_VARIABLES.filter((v) => v !== 'recipientName'));

function templateJson(t: MessageTemplate): z.infer<typeof TemplateSchema> {
  const draftable = !Object.hasOwn(ENGINE_TEMPLATE_VARIABLES, t.id);
  return {
    id: t.id,
    audience: t.audience,
    draftable,
    subject: t.subject,
    body: t.body,
    placeholders: t.variables,
    fields: draftable ? t.variables.filter((v) => WRITTEN.has(v)) : [],
  };
}

/**
 * `GET /api/v1/templates`: the loaded policy's message templates, so a client drafting a
 * communication can offer the right templates for an audience and ask for the fields they use.
 */
export function registerTemplateRoutes(
  app: FastifyInstance,
  deps: { templates: Readonly<Record<string, MessageTemplate>> },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // Built once: the policy is fixed for the life of the process.
  const items = Object.values(deps.templates).map(templateJson);
  api.get(
    '/api/v1/templates',
    {
      schema: {
        tags: ['communications'],
        summary: 'The policy’s message templates, with their audience and placeholders',
        response: { 200: z.object({ items: z.array(TemplateSchema) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return { items };
    },
  );
}
