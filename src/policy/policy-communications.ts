/**
 * The `communications` section of the policy: channels, who approves drafts, the message
 * templates of the policy folder, the emergency path and outgoing webhooks.
 */
import { z } from 'zod';
import {
  ID_PATTERN,
  idSchema,
  isTemplatePath,
  personSchema,
  uniqueList,
  wallDurationSchema,
} from './policy-schema-parts.ts';

const TEMPLATE_PATH_EXPECTED =
  'a relative path to a text file inside the policy folder, such as "templates/customer-update.txt"';
const TEMPLATE_ID_EXPECTED =
  'a template id such as "customer_update" (lower case letters, digits, "-" or "_")';

/** Who a message template is written for; the same union as message-template.ts's TemplateAudience. */
export const templateAudienceSchema = z.enum(['customers', 'internal']);

/** A template of the policy folder: which file, written for whom. */
const templateEntrySchema = z.strictObject({
  file: z.string({ error: TEMPLATE_PATH_EXPECTED }).refine(isTemplatePath, { error: TEMPLATE_PATH_EXPECTED }),
  audience: templateAudienceSchema,
});
export type TemplateEntry = z.infer<typeof templateEntrySchema>;

const templatesSchema = z
  .record(z.string(), templateEntrySchema, { error: 'a map from template id to { file, audience }' })
  .superRefine((templates, ctx) => {
    for (const id of Object.keys(templates)) {
      if (!ID_PATTERN.test(id)) {
        ctx.addIssue({
          code: 'custom',
          message: TEMPLATE_ID_EXPECTED,
          path: [id],
          params: { found: `"${id}"` },
        });
      }
    }
  });

/** An outgoing chat or paging webhook; its URL and signing secret come from the environment. */
const webhookSchema = z.strictObject({ id: idSchema, format: z.enum(['generic', 'teams', 'slack']) });
export type PolicyWebhook = z.infer<typeof webhookSchema>;

/** Who is called, and how, when a severe incident opens out of hours. */
const emergencySchema = z.strictObject({
  severities: z.array(idSchema),
  outOfHoursOnly: z.boolean({ error: 'true or false' }),
  notify: z.array(personSchema),
  webhooks: z.array(idSchema),
});
export type EmergencyPath = z.infer<typeof emergencySchema>;

export const communicationsSchema = z.strictObject({
  customerChannel: z.enum(['email']),
  internalChannel: z.enum(['email']),
  statusPage: z.boolean(),
  /** Role ids whose holder on the incident may approve a draft for that audience; empty means no approval. */
  approvers: z.strictObject({ customers: z.array(idSchema), internal: z.array(idSchema) }),
  /** Wall time the oldest undelivered message may wait before an internal alert. */
  deliveryAlertAfter: wallDurationSchema,
  /** Template id to a file of the policy folder; ids not named use Vigil's built-in templates. */
  templates: templatesSchema.default({}),
  emergency: emergencySchema,
  webhooks: uniqueList(webhookSchema),
});
export type Communications = z.infer<typeof communicationsSchema>;
