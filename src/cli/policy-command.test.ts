import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXT, policyVariant } from '../policy/fixtures/policy-variants.ts';
import { captureIo } from './fixtures/capture-io.ts';
import { registerPolicyCommands, runPolicyCheck } from './policy-command.ts';

async function writePolicy(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-cli-policy-'));
  const path = join(dir, 'policy.yaml');
  await writeFile(path, text);
  return path;
}

describe('vigil policy check', () => {
  it('accepts the built-in policy when no file is given', async () => {
    const { io, captured } = captureIo();
    await runPolicyCheck(undefined, io);
    expect(captured.exitCode).toBe(0);
    expect(captured.out).toHaveLength(1);
    expect(captured.out[0]).toMatch(/^policy OK: built-in \(sha256:[0-9a-f]{64}\)$/);
    expect(captured.err).toEqual([]);
  });

  it('accepts a valid file and names it', async () => {
    const path = await writePolicy(DEFAULT_TEXT);
    const { io, captured } = captureIo();
    await runPolicyCheck(path, io);
    expect(captured.exitCode).toBe(0);
    expect(captured.out[0]).toMatch(new RegExp(`^policy OK: ${path} \\(sha256:[0-9a-f]{64}\\)$`));
  });

  it('prints every issue on stderr with a count and exits 1', async () => {
    const path = await writePolicy(
      policyVariant(
        ['within: 15 minutes', 'within: fifteen'],
        ['timeZone: Europe/London', 'timeZone: Mars/Olympus'],
      ),
    );
    const { io, captured } = captureIo();
    await runPolicyCheck(path, io);
    expect(captured.exitCode).toBe(1);
    expect(captured.out).toEqual([]);
    expect(captured.err).toHaveLength(3);
    expect(captured.err[0]).toMatch(new RegExp(`^${path}:\\d+ time\\.timeZone: expected an IANA time zone`));
    expect(captured.err[1]).toContain('slas.critical.acknowledge.within: expected a duration such as');
    expect(captured.err[1]).toContain('found "fifteen"');
    expect(captured.err[2]).toBe('policy invalid: 2 issues');
  });

  it('reports a missing file as one issue', async () => {
    const { io, captured } = captureIo();
    await runPolicyCheck('/nonexistent/policy.yaml', io);
    expect(captured.exitCode).toBe(1);
    expect(captured.err).toEqual([
      '/nonexistent/policy.yaml (root): expected a readable policy file, found no such file',
      'policy invalid: 1 issue',
    ]);
  });

  it('is registered as "policy check [file]"', async () => {
    const { io, captured } = captureIo();
    const program = new Command('vigil').exitOverride();
    registerPolicyCommands(program, io);
    await program.parseAsync(['policy', 'check'], { from: 'user' });
    expect(captured.exitCode).toBe(0);
    expect(captured.out[0]).toMatch(/^policy OK: built-in/);
  });
});
