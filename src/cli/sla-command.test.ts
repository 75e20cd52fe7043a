import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { policyVariant } from '../policy/fixtures/policy-variants.ts';
import { captureIo } from './fixtures/capture-io.ts';
import { parseOpenedAt, registerSlaCommands, runSlaDue } from './sla-command.ts';

describe('vigil sla due', () => {
  it('prints one JSON object with instants in the policy time zone', async () => {
    const { io, captured } = captureIo();
    await runSlaDue({ severity: 'critical', opened: '2026-04-07T09:00:00Z' }, io);
    expect(captured.exitCode).toBe(0);
    expect(captured.err).toEqual([]);
    expect(captured.out).toHaveLength(1);
    expect(JSON.parse(captured.out[0]!)).toEqual({
      severity: 'critical',
      openedAt: '2026-04-07T10:00:00.000+01:00',
      outOfHours: false,
      targets: {
        acknowledge: '2026-04-07T10:15:00.000+01:00',
        triage: '2026-04-07T10:30:00.000+01:00',
        containment: '2026-04-07T14:00:00.000+01:00',
        customerUpdate: '2026-04-07T14:00:00.000+01:00',
      },
    });
  });

  it('writes null where the policy sets no target, and GMT offsets in winter', async () => {
    const { io, captured } = captureIo();
    await runSlaDue({ severity: 'low', opened: '2026-01-06T10:00:00+00:00' }, io);
    expect(JSON.parse(captured.out[0]!)).toEqual({
      severity: 'low',
      openedAt: '2026-01-06T10:00:00.000+00:00',
      outOfHours: false,
      targets: {
        acknowledge: '2026-01-07T10:00:00.000+00:00',
        triage: '2026-01-08T10:00:00.000+00:00',
        containment: '2026-01-20T10:00:00.000+00:00',
        customerUpdate: null,
      },
    });
  });

  it('accepts any offset for --opened and reports out-of-hours openings', async () => {
    const { io, captured } = captureIo();
    // 16:30 in New York on Friday 10 April is 21:30 in London: out of hours.
    await runSlaDue({ severity: 'high', opened: '2026-04-10T16:30:00-04:00' }, io);
    const printed = JSON.parse(captured.out[0]!);
    expect(printed.openedAt).toBe('2026-04-10T21:30:00.000+01:00');
    expect(printed.outOfHours).toBe(true);
    expect(printed.targets.acknowledge).toBe('2026-04-13T10:00:00.000+01:00');
  });

  it('uses the policy given with --policy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-cli-sla-'));
    const path = join(dir, 'policy.yaml');
    await writeFile(path, policyVariant(['within: 15 minutes', 'within: 5 minutes']));
    const { io, captured } = captureIo();
    await runSlaDue({ severity: 'critical', opened: '2026-04-07T09:00:00Z', policy: path }, io);
    expect(JSON.parse(captured.out[0]!).targets.acknowledge).toBe('2026-04-07T10:05:00.000+01:00');
  });

  it.each([
    ['2026-04-07T10:00:00', 'no offset'],
    ['2026-04-07', 'a date only'],
    ['yesterday', 'not a date'],
    ['2026-02-30T10:00:00Z', 'an impossible date'],
  ])('refuses --opened %j (%s) with exit code 1', async (opened) => {
    const { io, captured } = captureIo();
    await runSlaDue({ severity: 'critical', opened }, io);
    expect(captured.exitCode).toBe(1);
    expect(captured.out).toEqual([]);
    expect(captured.err[0]).toMatch(/^--opened: expected an ISO 8601 date-time with an offset/);
  });

  it('refuses an unknown severity, naming the known ones', async () => {
    const { io, captured } = captureIo();
    await runSlaDue({ severity: 'urgent', opened: '2026-04-07T09:00:00Z' }, io);
    expect(captured.exitCode).toBe(1);
    expect(captured.err).toEqual([
      '--severity: unknown severity "urgent"; the policy defines critical, high, medium, low',
    ]);
  });

  it('refuses a bad policy, printing its issues', async () => {
    const { io, captured } = captureIo();
    await runSlaDue(
      { severity: 'critical', opened: '2026-04-07T09:00:00Z', policy: '/nonexistent/p.yaml' },
      io,
    );
    expect(captured.exitCode).toBe(1);
    expect(captured.err).toEqual([
      '/nonexistent/p.yaml (root): expected a readable policy file, found no such file',
      'policy invalid: 1 issue',
    ]);
  });

  it('is registered as "sla due" with required options', async () => {
    const { io, captured } = captureIo();
    const program = new Command('vigil').exitOverride();
    registerSlaCommands(program, io);
    await program.parseAsync(['sla', 'due', '--severity', 'medium', '--opened', '2026-04-08T10:00:00Z'], {
      from: 'user',
    });
    expect(JSON.parse(captured.out[0]!).targets.acknowledge).toBe('2026-04-08T15:00:00.000+01:00');
  });
});

describe('parseOpenedAt', () => {
  it.each([
    ['2026-04-07T09:00:00Z', '2026-04-07T09:00:00.000Z'],
    ['2026-04-07T10:00+01:00', '2026-04-07T09:00:00.000Z'],
    ['2026-04-07T10:00:00.250+0100', '2026-04-07T09:00:00.250Z'],
  ])('reads %s', (text, iso) => {
    expect(parseOpenedAt(text)?.toISOString()).toBe(iso);
  });
});
