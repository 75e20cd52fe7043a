/**
 * `GET /trust` and `GET /trust.md`: the public trust-centre page, rendered
 * once from the policy this server runs (the policy cannot change while it
 * runs). Public and read-only: the authentication hook guards only /api/*.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LoadedPolicy } from '../policy/policy-loader.ts';
import { buildTrustDocument } from './trust-document.ts';
import { renderTrustHtml, trustStyleHash } from './trust-html.ts';
import { renderTrustMarkdown } from './trust-markdown.ts';

/**
 * Headers for every public trust-centre answer. The CSP allows nothing but
 * the page's own style block (by hash) and form posts back to this origin.
 */
export function trustSecurityHeaders(): Record<string, string> {
  return {
    'content-security-policy': `default-src 'none'; style-src ${trustStyleHash()}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

/** Sets the public page headers; `cache` is the Cache-Control value. */
export function applyTrustHeaders(reply: FastifyReply, cache = 'no-store'): FastifyReply {
  return reply.headers({ ...trustSecurityHeaders(), 'cache-control': cache });
}

// Five minutes: the page only changes when the server restarts with another policy.
const PAGE_CACHE = 'public, max-age=300';

export function registerTrustRoutes(
  app: FastifyInstance,
  deps: { policy: Pick<LoadedPolicy, 'policy' | 'version'> },
): void {
  const doc = buildTrustDocument(deps.policy);
  const html = renderTrustHtml(doc);
  const markdown = renderTrustMarkdown(doc);

  app.get('/trust', { schema: { hide: true } }, async (_request, reply) =>
    applyTrustHeaders(reply, PAGE_CACHE).type('text/html; charset=utf-8').send(html),
  );
  app.get('/trust.md', { schema: { hide: true } }, async (_request, reply) =>
    applyTrustHeaders(reply, PAGE_CACHE).type('text/markdown; charset=utf-8').send(markdown),
  );
}
