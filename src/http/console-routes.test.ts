import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY, registerConsoleRoutes } from './console-routes.ts';
import { installErrorHandling } from './error-handler.ts';

async function serve(built: boolean) {
  const dir = `${mkdtempSync(join(tmpdir(), 'vigil-console-'))}/`;
  if (built) {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vigil</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("vigil")');
  }
  const app = Fastify();
  installErrorHandling(app);
  registerConsoleRoutes(app, { dir });
  app.get('/api/v1/ping', async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('console routes', () => {
  it('answers every page path with the app, under the console’s strict CSP', async () => {
    const app = await serve(true);
    for (const url of ['/', '/incidents', '/incidents/INC-7?tab=timeline', '/reports']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves built assets for good, and leaves the server’s own paths and missing files alone', async () => {
    const app = await serve(true);
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    expect((await app.inject({ method: 'GET', url: '/api/v1/ping' })).json()).toEqual({ ok: true });
    for (const url of ['/assets/missing.js', '/api/v1/nothing-here', '/trust/nope', '/v2/nope']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await app.inject({ method: 'POST', url: '/incidents' })).statusCode).toBe(404);
  });

  it('says how to build the console when it is not built', async () => {
    const app = await serve(false);
    const res = await app.inject({ method: 'GET', url: '/incidents' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build');
  });
});
