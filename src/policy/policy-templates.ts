/**
 * The policy's message templates: for every template Vigil sends, and every extra one the policy
 * declares, which file its words come from, and whether that file is a valid template using only
 * the variables its id is given.
 *
 * Pure: the loader reads the files (the policy folder's and Vigil's built-in ones) and hands their
 * bytes in; this module decides which files are needed and what is wrong with them.
 */
import {
  allowedVariables,
  type MessageTemplate,
  parseTemplateText,
  REQUIRED_TEMPLATES,
  type TemplateAudience,
  type TemplateTextProblem,
  unknownVariables,
} from '../communication/message-template.ts';
import { BUILT_IN_PATH_PREFIX } from './policy-bundle.ts';
import type { PolicyFileRead } from './policy-runbooks.ts';
import type { Policy } from './policy-types.ts';

/** Where one template's text comes from. */
export interface TemplateSource {
  id: string;
  audience: TemplateAudience;
  /** `policy`: a file of the policy folder named in `communications.templates`; `built-in`: Vigil's own. */
  origin: 'policy' | 'built-in';
  /** Relative to its folder: the policy file's, or the folder of Vigil's default policy. */
  file: string;
}

/** A problem with the template `templateId`, phrased as the two halves of a policy issue. */
export type TemplateProblem =
  /** The file named at `communications.templates.<id>.file` cannot be used at all. */
  | { templateId: string; at: 'entry'; expected: string; found: string }
  /** Something at a line of the template file (relative to the policy folder). */
  | ({ templateId: string; at: 'file'; file: string } & TemplateTextProblem);

/** One template file as stored with the policy version. */
export interface TemplateFile {
  /** The bundle path: relative to the policy folder, or under {@link BUILT_IN_PATH_PREFIX}. */
  path: string;
  bytes: Uint8Array;
  /** The same bytes as text (a byte-order mark, if any, kept). */
  content: string;
}

/** The templates of a policy, the files they came from, and what was wrong with them. */
export interface AssembledTemplates {
  /** Template id to its template: every required id, then the policy's own. */
  templates: Record<string, MessageTemplate>;
  /** Each file used once, sorted by bundle path. */
  files: TemplateFile[];
  problems: TemplateProblem[];
}

/** The file of Vigil's built-in template `id`: `templates/customer-update.txt` for `customer_update`. */
export function builtInTemplateFile(id: string): string {
  return `templates/${id.replaceAll('_', '-')}.txt`;
}

/** Every template the policy uses: the required ids in Vigil's order, then the policy's own ids sorted. */
export function templateSources(policy: Policy): TemplateSource[] {
  const named = policy.communications.templates;
  const required = Object.entries(REQUIRED_TEMPLATES).map(([id, audience]): TemplateSource => {
    const entry = Object.hasOwn(named, id) ? named[id] : undefined;
    return entry
      ? { id, audience: entry.audience, origin: 'policy', file: entry.file }
      : { id, audience, origin: 'built-in', file: builtInTemplateFile(id) };
  });
  const custom = Object.keys(named)
    .filter((id) => !Object.hasOwn(REQUIRED_TEMPLATES, id))
    .sort()
    .map(
      (id): TemplateSource => ({
        id,
        audience: named[id]!.audience,
        origin: 'policy',
        file: named[id]!.file,
      }),
    );
  return [...required, ...custom];
}

/** The distinct files of `origin` that the policy's templates need, sorted. */
export function templateFiles(policy: Policy, origin: TemplateSource['origin']): string[] {
  const files = templateSources(policy)
    .filter((source) => source.origin === origin)
    .map((source) => source.file);
  return [...new Set(files)].sort();
}

// fatal: bytes that are not UTF-8 are refused instead of turned into U+FFFD, so the stored text
// gives back the hashed bytes; ignoreBOM keeps a byte-order mark in the text for the same reason.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Failure = { expected: string; found: string };

function decodeTemplate(
  file: string,
  read: PolicyFileRead | undefined,
): { bytes: Uint8Array; content: string } | Failure {
  if (read === undefined) return { expected: 'a readable template file', found: `nothing read for ${file}` };
  if (!read.ok) return { expected: read.expected, found: read.found };
  try {
    return { bytes: read.bytes, content: UTF8.decode(read.bytes) };
  } catch {
    return { expected: 'a UTF-8 text file', found: `bytes that are not UTF-8 in ${file}` };
  }
}

/** One template from its file's text, or what is wrong with it, each fault at its line. */
function buildTemplate(
  source: TemplateSource,
  path: string,
  content: string,
): MessageTemplate | TemplateTextProblem[] {
  const parsed = parseTemplateText(content);
  if (!parsed.ok) return [{ line: parsed.line, expected: parsed.expected, found: parsed.found }];
  const unknown = unknownVariables(content, allowedVariables(source.id));
  if (unknown.length > 0) return unknown;
  const { subject, body, variables } = parsed;
  return { id: source.id, audience: source.audience, path, subject, body, variables };
}

type TemplateReads = {
  policy: ReadonlyMap<string, PolicyFileRead>;
  builtIn: ReadonlyMap<string, Uint8Array>;
};

/**
 * One template and its file, or its problems. A built-in template is Vigil's own, so a fault in
 * one is a bug in Vigil rather than in the policy, and throws.
 */
function loadTemplate(
  source: TemplateSource,
  reads: TemplateReads,
): { template: MessageTemplate; file: TemplateFile } | TemplateProblem[] {
  const builtIn = source.origin === 'built-in';
  const path = builtIn ? `${BUILT_IN_PATH_PREFIX}${source.file}` : source.file;
  const bytes = reads.builtIn.get(source.file);
  const read = builtIn ? bytes && { ok: true as const, bytes } : reads.policy.get(source.file);
  const decoded = decodeTemplate(source.file, read);
  if (!('content' in decoded)) {
    if (builtIn) throw new Error(`built-in template ${source.file}: ${decoded.found}`);
    return [{ templateId: source.id, at: 'entry', ...decoded }];
  }
  const template = buildTemplate(source, path, decoded.content);
  if (!Array.isArray(template)) return { template, file: { path, ...decoded } };
  if (builtIn) {
    const where = template.map((p) => `${source.file}:${p.line}: expected ${p.expected}, found ${p.found}`);
    throw new Error(`invalid built-in template ${where.join('; ')}`);
  }
  return template.map((problem) => ({ templateId: source.id, at: 'file', file: source.file, ...problem }));
}

/**
 * Builds the templates of a valid policy from the files the loader read.
 *
 * @param reads.policy what reading each of {@link templateFiles}`(policy, 'policy')` gave, keyed
 *   by path relative to the policy folder; a missing key counts as an unreadable file.
 * @param reads.builtIn the bytes of each of {@link templateFiles}`(policy, 'built-in')`, keyed the
 *   same way (relative to the folder of Vigil's default policy).
 * @returns every template by id; each file used once, sorted by bundle path; and, for each
 *   template of the policy folder whose file is unreadable, not UTF-8, not a valid template or
 *   uses a variable its id is not given, one problem per fault (the template is then absent).
 * @throws Error when a built-in template is missing or invalid.
 */
export function assembleTemplates(policy: Policy, reads: TemplateReads): AssembledTemplates {
  const templates: Record<string, MessageTemplate> = {};
  const problems: TemplateProblem[] = [];
  const files = new Map<string, TemplateFile>();
  for (const source of templateSources(policy)) {
    const loaded = loadTemplate(source, reads);
    if (Array.isArray(loaded)) {
      problems.push(...loaded);
    } else {
      templates[source.id] = loaded.template;
      files.set(loaded.file.path, loaded.file);
    }
  }
  const sorted = [...files.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return { templates, files: sorted, problems };
}
