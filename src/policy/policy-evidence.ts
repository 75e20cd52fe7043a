/**
 * The `evidence` section of the policy: how large one attachment may be, and
 * how evidence requests from customers and auditors are answered. Optional in
 * the file; every field has the default the published process states.
 */
import { z } from 'zod';
import { clockSpecSchema, durationSchema } from './policy-schema-parts.ts';

const SIZE_EXPECTED = 'a size such as "512 MiB" (B, KiB, MiB or GiB)';
const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** `512 MiB` → 536870912. Binary units only, so that a size means one thing. */
export function parseByteSize(text: string): number | null {
  const match = /^\s*(\d+)\s*(B|KiB|MiB|GiB)\s*$/.exec(text);
  if (!match) return null;
  const bytes = Number(match[1]) * SIZE_UNITS[match[2]!]!;
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : null;
}

const byteSizeSchema = z.string({ error: SIZE_EXPECTED }).transform((text, ctx) => {
  const bytes = parseByteSize(text);
  if (bytes === null) {
    ctx.addIssue({ code: 'custom', message: SIZE_EXPECTED });
    return z.NEVER;
  }
  return { text: text.trim(), bytes };
});

export const evidenceSchema = z
  .strictObject({
    /** Largest single attachment the vault accepts. */
    maxAttachmentSize: byteSizeSchema.prefault('512 MiB'),
    requests: z
      .strictObject({
        /** How soon a customer's or auditor's evidence request is answered, from its receipt. */
        respondWithin: clockSpecSchema.prefault({ within: '10 days', clock: 'business' }),
        /** How long a link sharing a package or report with one recipient stays valid. */
        shareLinksExpireAfter: durationSchema.prefault('14 days'),
      })
      .prefault({}),
  })
  .prefault({});

export type EvidencePolicy = z.output<typeof evidenceSchema>;
