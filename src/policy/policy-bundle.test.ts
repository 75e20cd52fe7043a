import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyDefaultPolicyFolder, DEFAULT_FILE_TEXT } from './fixtures/policy-variants.ts';
import { policyBundle, policyBundleVersion, policyVersion } from './policy-bundle.ts';
import { loadDefaultPolicy, loadPolicyFile, type PolicyLoadResult } from './policy-loader.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

function versionOf(result: PolicyLoadResult): string {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy.version;
}

describe('policyBundle', () => {
  it('frames the policy, then each runbook path and content, with 64-bit big-endian lengths', () => {
    const bundle = Buffer.from(policyBundle(bytes('p'), [{ path: 'r.md', bytes: bytes('xy') }]));
    expect(bundle.toString('hex')).toBe(
      [
        '0000000000000001',
        Buffer.from('p').toString('hex'),
        '0000000000000004',
        Buffer.from('r.md').toString('hex'),
        '0000000000000002',
        Buffer.from('xy').toString('hex'),
      ].join(''),
    );
  });

  it('sorts runbooks by path, whatever order they are given in', () => {
    const a = { path: 'runbooks/a.md', bytes: bytes('A') };
    const b = { path: 'runbooks/b.md', bytes: bytes('B') };
    expect(policyBundleVersion(bytes('p'), [b, a])).toBe(policyBundleVersion(bytes('p'), [a, b]));
  });

  it('tells apart bundles whose concatenated bytes are equal', () => {
    const policy = bytes('p');
    const versions = [
      policyBundleVersion(policy, [{ path: 'a.md', bytes: bytes('bc') }]),
      policyBundleVersion(policy, [{ path: 'a.mdb', bytes: bytes('c') }]),
      policyBundleVersion(bytes('pa.md'), []),
      policyBundleVersion(policy, []),
    ];
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('is the sha256 of the bundle', () => {
    expect(policyBundleVersion(bytes('abc'), [])).toBe(
      policyVersion(Buffer.concat([Buffer.from('0000000000000003', 'hex'), bytes('abc')])),
    );
  });
});

describe('the version of a policy folder', () => {
  it('is the same for the same bytes, wherever the folder is', async () => {
    const first = versionOf(await loadPolicyFile(await copyDefaultPolicyFolder()));
    const second = versionOf(await loadPolicyFile(await copyDefaultPolicyFolder()));
    expect(second).toBe(first);
    expect(versionOf(await loadDefaultPolicy())).toBe(first);
  });

  it('changes when only one byte of one runbook changes', async () => {
    const path = await copyDefaultPolicyFolder();
    const before = versionOf(await loadPolicyFile(path));
    const runbook = join(dirname(path), 'runbooks/service-degradation.md');
    const text = await readFile(runbook, 'utf8');
    const edited = text.replace('Drain the backlog', 'drain the backlog');
    expect(Buffer.compare(bytes(edited), bytes(text))).not.toBe(0);
    expect(bytes(edited).length).toBe(bytes(text).length);
    await writeFile(runbook, edited);
    const changed = await loadPolicyFile(path);
    expect(versionOf(changed)).not.toBe(before);
    expect(changed.ok && changed.policy.text).toBe(DEFAULT_FILE_TEXT);
  });

  it('changes when a runbook only gains a trailing newline', async () => {
    const path = await copyDefaultPolicyFolder();
    const before = versionOf(await loadPolicyFile(path));
    await appendFile(join(dirname(path), 'runbooks/policy-violation.md'), '\n');
    expect(versionOf(await loadPolicyFile(path))).not.toBe(before);
  });

  it('is computed from the policy text and the stored runbook files alone', async () => {
    const result = await loadDefaultPolicy();
    if (!result.ok) throw new Error('the default policy should load');
    const { text, files, version } = result.policy;
    const recomputed = policyBundleVersion(
      bytes(text),
      files.map((file) => ({ path: file.path, bytes: bytes(file.content) })),
    );
    expect(recomputed).toBe(version);
  });
});
