/**
 * Turning a communication into the messages its recipients get, as pure
 * functions: which template it uses (a policy template, or its own
 * free-form subject and body in the same template language), which values
 * fill it, and what is missing.
 */
import type { FieldIssue } from '../platform/errors.ts';
import type { CommunicationAudience, DraftedValues, RenderedMessage } from './communication-types.ts';
import { DRAFTED_VALUE_NAMES } from './communication-types.ts';
import {
  allowedVariables,
  type MessageTemplate,
  missingValues,
  parseTemplateText,
  renderMessageTemplate,
} from './message-template.ts';

/** The template id a free-form draft is checked as: drafting variables allowed, engine ones not. */
const FREE_FORM_ID = 'free_form';

/** A draft's template: the policy's, or one built from its own subject and body. */
export type TemplateChoice = { ok: true; template: MessageTemplate } | { ok: false; issues: FieldIssue[] };

/**
 * Picks the template of a draft: a named policy template for the audience,
 * or the draft's own subject and body parsed as a template. Field names in
 * issues are those of the request body.
 */
export function chooseTemplate(
  templates: Readonly<Record<string, MessageTemplate>>,
  draft: {
    audience: CommunicationAudience;
    template: string | null;
    subject: string | null;
    body: string | null;
  },
): TemplateChoice {
  if (draft.template !== null) {
    const template = templates[draft.template];
    const usable = Object.values(templates).filter((t) => t.audience === draft.audience && isDraftable(t.id));
    if (!template || !isDraftable(template.id)) {
      const ids = usable.map((t) => t.id).join(', ');
      return { ok: false, issues: [{ field: 'body.template', reason: `must be one of ${ids}` }] };
    }
    if (template.audience !== draft.audience) {
      return {
        ok: false,
        issues: [{ field: 'body.template', reason: `is a template for ${template.audience} messages` }],
      };
    }
    if (draft.subject !== null || draft.body !== null) {
      return {
        ok: false,
        issues: [{ field: 'body.template', reason: 'give either a template, or a subject and a body' }],
      };
    }
    return { ok: true, template };
  }
  const issues: FieldIssue[] = [];
  if (!draft.subject?.trim())
    issues.push({ field: 'body.subject', reason: 'is required without a template' });
  if (!draft.body?.trim()) issues.push({ field: 'body.body', reason: 'is required without a template' });
  if (issues.length > 0) return { ok: false, issues };
  return freeFormTemplate(draft.audience, draft.subject!, draft.body!);
}

/** The engine's own templates are filled by the engine, never drafted by people. */
const ENGINE_TEMPLATES = new Set(['escalation', 'update_reminder', 'emergency_page']);

function isDraftable(id: string): boolean {
  return !ENGINE_TEMPLATES.has(id);
}

function freeFormTemplate(audience: CommunicationAudience, subject: string, body: string): TemplateChoice {
  const subjectLine = subject.replace(/\s+/g, ' ').trim();
  const parsed = parseTemplateText(`Subject: ${subjectLine}\n\n${body}`);
  if (!parsed.ok) {
    const field = parsed.line === 1 ? 'body.subject' : 'body.body';
    return { ok: false, issues: [{ field, reason: `expected ${parsed.expected}, found ${parsed.found}` }] };
  }
  const allowed = allowedVariables(FREE_FORM_ID);
  const unknown = parsed.variables.filter((v) => !allowed.has(v));
  if (unknown.length > 0) {
    const field = parsed.subject.includes(`${unknown[0]}`) ? 'body.subject' : 'body.body';
    return {
      ok: false,
      issues: [
        {
          field,
          reason: `uses ${unknown.map((v) => `{{${v}}}`).join(', ')}; the variables are ${[...allowed].sort().join(', ')}`,
        },
      ],
    };
  }
  return {
    ok: true,
    template: {
      id: FREE_FORM_ID,
      audience,
      path: '(draft)',
      subject: parsed.subject,
      body: parsed.body,
      variables: parsed.variables,
    },
  };
}

/** The drafted values, trimmed, blanks dropped. */
export function draftedValues(
  values: DraftedValues & { nextUpdateAt?: string | undefined },
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of [...DRAFTED_VALUE_NAMES, 'nextUpdateAt'] as const) {
    const value = values[name]?.trim();
    if (value) result[name] = value;
  }
  return result;
}

/**
 * The values a template uses that nobody gave, as issues on the request
 * body's fields (`recipientName` is always given per recipient).
 */
export function missingValueIssues(template: MessageTemplate, values: Record<string, string>): FieldIssue[] {
  return missingValues(template, { ...values, recipientName: 'x' }).map((name) => ({
    field: `body.${name}`,
    reason:
      name === 'nextUpdateAt'
        ? `the template promises {{nextUpdateAt}} but the incident has no customer-update cadence running; give nextUpdateAt or use another template`
        : `the template uses {{${name}}}; give ${name}`,
  }));
}

/** The message one recipient gets. */
export function renderFor(
  template: MessageTemplate,
  values: Record<string, string>,
  recipient: { email: string; name: string },
): RenderedMessage {
  const rendered = renderMessageTemplate(template, { ...values, recipientName: recipient.name });
  return { recipient: recipient.email, recipientName: recipient.name, ...rendered };
}
