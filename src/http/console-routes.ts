/**
 * The web console: the single-page application built into web/dist
 * (`npm run build`), served at `/`. Any other path that is not the API's
 * (`/incidents/INC-12`, `/reports?from=...`) answers the app's index page,
 * and the app picks the page from the path.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` writes the console. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The console loads only its own scripts, styles and images and talks only
 * to this server; nothing inline runs, and nothing may frame it.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Paths the server answers itself; everything else under `/` belongs to the console. */
const SERVER_PATHS = /^\/(api|auth|trust|shared|v2|healthz|readyz)(\/|\.|$)/;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil</title></head>
<body><h1>Vigil is running</h1><p>The web console is not built yet: run <code>npm run build</code>
(<code>npm start</code> does it for you). The REST API is at <a href="/api/docs">/api/docs</a>.</p></body></html>`;

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CONTENT_SECURITY_POLICY)
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8');
}

export function registerConsoleRoutes(app: FastifyInstance, options: { dir?: string } = {}): void {
  const dir = options.dir ?? CONSOLE_DIR;
  const built = existsSync(`${dir}index.html`);
  if (built) {
    app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      index: false,
      wildcard: false,
      // Built assets carry a content hash in their names: cache them for good.
      immutable: true,
      maxAge: '365d',
      setHeaders: (reply) => {
        reply.header('content-security-policy', CONSOLE_CONTENT_SECURITY_POLICY);
      },
    });
  }
  const index = async (reply: FastifyReply) =>
    built
      ? pageHeaders(reply).sendFile('index.html', dir, { cacheControl: false })
      : pageHeaders(reply).send(NOT_BUILT);
  app.get('/', { schema: { hide: true } }, async (_request, reply) => index(reply));
  // Files the build wrote are routes of their own (above), and win over this catch-all.
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (SERVER_PATHS.test(path) || /\.[a-z0-9]+$/i.test(path)) return reply.callNotFound();
    return index(reply);
  });
}
