/**
 * Runbooks: Markdown files next to the policy, one per incident category, whose level-2
 * headings name lifecycle phases (`## contain`) and whose sections hold that phase's steps.
 *
 * Pure: the loader reads the files and hands their bytes in; this module splits them into
 * phase sections and says what is wrong with them.
 */
import type { Policy, Runbook } from './policy-types.ts';

/** What reading one file of the policy folder (a runbook, a template) gave the loader. */
export type PolicyFileRead =
  | { ok: true; bytes: Uint8Array }
  /** Why the file could not be used, phrased as the two halves of a policy issue. */
  | { ok: false; expected: string; found: string };

/** What reading one runbook file gave the loader. */
export type RunbookRead = PolicyFileRead;

/** A problem with the runbook named by `categories[categoryIndex].runbook`. */
export interface RunbookProblem {
  categoryIndex: number;
  expected: string;
  found: string;
}

/** One runbook file as stored with the policy version. */
export interface RunbookFile {
  /** As written in the policy, relative to the policy file's folder. */
  path: string;
  /** The file's exact bytes, which the policy version hashes. */
  bytes: Uint8Array;
  /** The same bytes as text (a byte-order mark, if any, kept), for storage beside the policy text. */
  content: string;
}

/** The runbooks of a policy: per category, the files they came from, and what was wrong. */
export interface AssembledRunbooks {
  /** Category id to its runbook; categories without a runbook are absent. */
  runbooks: Record<string, Runbook>;
  /** Each runbook file once, sorted by path. */
  files: RunbookFile[];
  problems: RunbookProblem[];
}

/** A level-2 heading that is not a phase id, or repeats one, at a 1-based line of the file. */
export interface RunbookHeadingProblem {
  line: number;
  heading: string;
  kind: 'unknown_phase' | 'repeated_phase';
}

/** The distinct runbook paths a policy names, sorted (ASCII order, which is also byte order). */
export function runbookPaths(policy: Policy): string[] {
  const paths = policy.categories.flatMap((category) => (category.runbook ? [category.runbook] : []));
  return [...new Set(paths)].sort();
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The level and text of an ATX heading line (`## contain ##` gives 2, `contain`), or null. */
function headingOf(line: string): { level: number; text: string } | null {
  const match = ATX_HEADING.exec(line);
  if (!match) return null;
  // A closing run of #s is decoration; a heading made only of #s is empty.
  const raw = match[2] ?? '';
  const text = /^#+$/.test(raw) ? '' : raw.replace(/[ \t]+#+$/, '');
  return { level: match[1]!.length, text };
}

/** Drops blank lines at both ends, keeping indentation inside. */
function trimBlankLines(lines: readonly string[]): string {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.trim() === '') start++;
  while (end > start && lines[end - 1]!.trim() === '') end--;
  return lines.slice(start, end).join('\n');
}

/**
 * Splits runbook Markdown into phase sections.
 *
 * A section runs from a level-2 ATX heading (`## contain`) to the next heading of level 1 or 2;
 * deeper headings, lists and paragraphs belong to it. Headings inside fenced code blocks do not
 * count. Text before the first level-2 heading (a title, an introduction) is not part of any
 * phase. Setext headings (text underlined with `---`) are not recognised as phase headings.
 *
 * @param text the file's text; line endings may be `\n` or `\r\n`.
 * @param phaseIds the policy's phase ids; every level-2 heading must be one of them, at most once.
 * @returns phase id to that section's Markdown (heading excluded, blank lines at the ends
 *   dropped), and the headings that are not phase ids or repeat one.
 */
export function parseRunbook(
  text: string,
  phaseIds: readonly string[],
): { phases: Record<string, string>; problems: RunbookHeadingProblem[] } {
  const known = new Set(phaseIds);
  const phases: Record<string, string> = {};
  const problems: RunbookHeadingProblem[] = [];
  let current: { phase: string | null; lines: string[] } | null = null;
  let fence: string | null = null;
  const close = () => {
    if (current?.phase) phases[current.phase] = trimBlankLines(current.lines);
    current = null;
  };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const fenceMatch = FENCE.exec(line);
    if (fence !== null) {
      // A fence closes with at least as many of the same character and nothing after them.
      if (fenceMatch && fenceMatch[1]!.startsWith(fence) && line.trim() === fenceMatch[1]) fence = null;
      current?.lines.push(line);
      return;
    }
    if (fenceMatch) fence = fenceMatch[1]!;
    const heading = fence === null ? headingOf(line) : null;
    if (heading === null || heading.level > 2) {
      current?.lines.push(line);
      return;
    }
    close();
    if (heading.level === 1) return;
    let phase: string | null = heading.text;
    if (!known.has(phase)) {
      problems.push({ line: index + 1, heading: line.trim(), kind: 'unknown_phase' });
      phase = null;
    } else if (Object.hasOwn(phases, phase)) {
      problems.push({ line: index + 1, heading: line.trim(), kind: 'repeated_phase' });
      phase = null;
    }
    current = { phase, lines: [] };
  });
  close();
  return { phases, problems };
}

/** `one of "identify", "contain"` */
function oneOf(ids: readonly string[]): string {
  return `one of ${ids.map((id) => JSON.stringify(id)).join(', ')}`;
}

// fatal: bytes that are not UTF-8 are refused instead of turned into U+FFFD, so the stored text
// gives back the hashed bytes; ignoreBOM keeps a byte-order mark in the text for the same reason.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Failure = { expected: string; found: string };

function decodeRunbook(path: string, read: RunbookRead | undefined): RunbookFile | Failure {
  if (read === undefined) return { expected: 'a readable runbook file', found: `nothing read for ${path}` };
  if (!read.ok) return { expected: read.expected, found: read.found };
  try {
    return { path, bytes: read.bytes, content: UTF8.decode(read.bytes) };
  } catch {
    return { expected: 'a UTF-8 text file', found: `bytes that are not UTF-8 in ${path}` };
  }
}

function headingFailure(path: string, phaseIds: readonly string[], problem: RunbookHeadingProblem): Failure {
  const where = `${JSON.stringify(problem.heading)} at ${path}:${problem.line}`;
  return problem.kind === 'unknown_phase'
    ? { expected: `level-2 headings that are phase ids: ${oneOf(phaseIds)}`, found: where }
    : { expected: 'each phase heading at most once', found: `a repeated heading ${where}` };
}

/** One runbook file, parsed, or everything wrong with it. */
function loadRunbook(
  path: string,
  read: RunbookRead | undefined,
  phaseIds: readonly string[],
): { file: RunbookFile; phases: Record<string, string> } | Failure[] {
  const file = decodeRunbook(path, read);
  if (!('content' in file)) return [file];
  const { phases, problems } = parseRunbook(file.content, phaseIds);
  if (problems.length > 0) return problems.map((problem) => headingFailure(path, phaseIds, problem));
  return { file, phases };
}

/**
 * Builds the runbooks of a valid policy from the files the loader read.
 *
 * @param reads what reading each of {@link runbookPaths}`(policy)` gave, keyed by path; a
 *   missing key counts as an unreadable file.
 * @returns per category its parsed runbook; every file once, sorted by path; and, for each
 *   category whose runbook is unreadable, not UTF-8 or has a level-2 heading that is not a
 *   phase id (or repeats one), one problem per fault. Such a category gets no runbook.
 */
export function assembleRunbooks(policy: Policy, reads: ReadonlyMap<string, RunbookRead>): AssembledRunbooks {
  const phaseIds = policy.lifecycle.phases.map((phase) => phase.id);
  const loaded = new Map(
    runbookPaths(policy).map((path) => [path, loadRunbook(path, reads.get(path), phaseIds)]),
  );
  const runbooks: Record<string, Runbook> = {};
  const problems: RunbookProblem[] = [];
  policy.categories.forEach((category, categoryIndex) => {
    const path = category.runbook;
    const entry = path === undefined ? undefined : loaded.get(path);
    if (path === undefined || entry === undefined) return;
    if (Array.isArray(entry)) {
      problems.push(...entry.map((failure) => ({ categoryIndex, ...failure })));
    } else {
      runbooks[category.id] = { path, phases: entry.phases };
    }
  });
  const files = [...loaded.values()].flatMap((entry) => (Array.isArray(entry) ? [] : [entry.file]));
  return { runbooks, files, problems };
}
