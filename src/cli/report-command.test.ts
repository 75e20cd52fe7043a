import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from './fixtures/capture-io.ts';
import { runCli } from './program.ts';

const CSV = 'severity,incidents\r\nhigh,2\r\n';

/** A stand-in server: answers the SLA report as CSV, and a problem for a reversed period. */
describe('vigil report', () => {
  let server: Server;
  let url = '';
  const seen: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request);
      const query = new URL(request.url ?? '/', 'http://x').searchParams;
      if (query.get('from')! > query.get('to')!) {
        response.writeHead(400, { 'content-type': 'application/problem+json' });
        response.end(
          JSON.stringify({
            title: 'Bad request',
            status: 400,
            detail: 'query.to must be after from',
            errors: [{ field: 'query.to', reason: 'must be after from' }],
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      response.end(CSV);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = async (...args: string[]) => {
    const { io, captured } = captureIo();
    await runCli([...args, '--url', url, '--token', 'vgl_t'], io);
    return captured;
  };

  it('asks for the report with the period and format, and prints it', async () => {
    const out = await run('report', 'sla', '--from', '2026-04-01', '--to', '2026-04-30', '--format', 'csv');
    expect(out.err).toEqual([]);
    expect(out.out).toEqual(['severity,incidents\r\nhigh,2']);
    const last = seen.at(-1)!;
    expect(last.url).toBe('/api/v1/reports/sla?from=2026-04-01&to=2026-04-30&format=csv');
    expect(last.headers.authorization).toBe('Bearer vgl_t');
  });

  it('writes the report to a file with -o', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-report-'));
    try {
      const file = join(dir, 'sla.csv');
      const out = await run('report', 'iso27001', '--from', '2026-04-01', '--to', '2026-04-30', '-o', file);
      expect(out.out).toEqual([`wrote ${file} (${Buffer.byteLength(CSV)} bytes)`]);
      expect(await readFile(file, 'utf8')).toBe(CSV);
      expect(seen.at(-1)!.url).toBe('/api/v1/reports/iso27001?from=2026-04-01&to=2026-04-30&format=json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('prints the field the server refused and exits 1', async () => {
    const out = await run('report', 'sla', '--from', '2026-05-01', '--to', '2026-04-30');
    expect(out.exitCode).toBe(1);
    expect(out.err.join('\n')).toContain('query.to: must be after from');
  });

  it('refuses an unknown format or a missing --from before calling the server', async () => {
    const before = seen.length;
    expect(
      (await run('report', 'sla', '--from', '2026-04-01', '--to', '2026-04-30', '--format', 'pdf')).exitCode,
    ).toBe(2);
    expect((await run('report', 'sla', '--to', '2026-04-30')).exitCode).toBe(2);
    expect(seen.length).toBe(before);
  });
});
