import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureIo } from '../../src/cli/fixtures/capture-io.ts';
import { runPolicyRender } from '../../src/cli/policy-command.ts';
import { DEFAULT_TEXT, policyVariant } from '../../src/policy/fixtures/policy-variants.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

async function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vigil-trust-'));
}

describeEachDatabase('trust-centre page', (dialect) => {
  let t: TestVigil;
  afterEach(async () => {
    await t.stop();
  });

  it('serves GET /trust publicly from the running policy, with strict headers', async () => {
    t = await startTestVigil(dialect);
    const response = await t.vigil.http.inject({ method: 'GET', url: '/trust' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const style = /<style>([\s\S]*?)<\/style>/.exec(response.body)![1]!;
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(response.headers['content-security-policy']).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.body).toContain(t.vigil.policy.version);
    expect(response.body).toContain('<th scope="row">Critical</th><td>15 minutes (around the clock)');
  });

  it('serves GET /trust.md as Markdown', async () => {
    t = await startTestVigil(dialect);
    const response = await t.vigil.http.inject({ method: 'GET', url: '/trust.md' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toContain('## Response targets');
    expect(response.body).toContain(`\`${t.vigil.policy.version}\``);
  });

  it('follows the policy the server runs', async () => {
    const dir = await scratchDir();
    const policyPath = join(dir, 'policy.yaml');
    await writeFile(policyPath, policyVariant(['evidence: { keep: 24 months', 'evidence: { keep: 7 years']));
    t = await startTestVigil(dialect, { policyPath });
    const body = (await t.vigil.http.inject({ method: 'GET', url: '/trust' })).body;
    expect(body).toContain('7 years after the incident is closed');
    expect(body).not.toContain('24 months');
  });
});

describe('vigil policy render', () => {
  it('writes the HTML page to a file', async () => {
    const out = join(await scratchDir(), 'trust.html');
    const { io, captured } = captureIo();
    await runPolicyRender({ format: 'html', out }, io);
    expect(captured.exitCode).toBe(0);
    expect(captured.out[0]).toMatch(new RegExp(`^wrote ${out} \\(html, policy sha256:[0-9a-f]{64}\\)$`));
    const page = await readFile(out, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('24 months after the incident is closed');
  });

  it('writes Markdown from a given policy file', async () => {
    const dir = await scratchDir();
    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, policyVariant(['  every: 12 months', '  every: 9 months']));
    const out = join(dir, 'trust.md');
    const { io, captured } = captureIo();
    await runPolicyRender({ format: 'md', policy, out }, io);
    expect(captured.exitCode).toBe(0);
    const md = await readFile(out, 'utf8');
    expect(md).toMatch(/^# Example Ltd: security incident response\n/);
    expect(md).toContain('at least once every 9 months');
    expect(md).not.toContain('<html');
  });

  it('prints the page to standard output without -o', async () => {
    const { io, captured } = captureIo();
    await runPolicyRender({ format: 'md' }, io);
    expect(captured.out.join('\n')).toContain('## Severity levels');
  });

  it('refuses an invalid policy with its issues and exit code 1', async () => {
    const dir = await scratchDir();
    const policy = join(dir, 'policy.yaml');
    await writeFile(policy, DEFAULT_TEXT.replace('timeZone: Europe/London', 'timeZone: Mars/Olympus'));
    const out = join(dir, 'trust.html');
    const { io, captured } = captureIo();
    await runPolicyRender({ format: 'html', policy, out }, io);
    expect(captured.exitCode).toBe(1);
    expect(captured.err.at(-1)).toBe('policy invalid: 1 issue');
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });
});
