/** README.txt of an evidence package (pure): what is in it and how to verify it, offline and against the live chain. */

/** The README's text, UTF-8 with LF line ends; the same inputs give the same bytes. */
export function packageReadme(input: {
  reference: string;
  lastChangeAt: string;
  lastSeq: number | null;
}): Buffer {
  const anchor =
    input.lastSeq === null
      ? 'This package holds no audit entries.'
      : `The last entry of the segment has seq ${input.lastSeq}; its hash is also in manifest.json (audit.lastHash).`;
  const lines = [
    `Evidence package of incident ${input.reference}`,
    '',
    `It holds the incident as it stood after its last recorded change, at ${input.lastChangeAt}.`,
    'It says nothing about who exported it or when: Vigil records that in its audit log',
    '(action evidence.package_exported, with the SHA-256 of this ZIP file).',
    '',
    'Contents',
    '  manifest.json              every other file with its SHA-256 and size, the incident, the policy version,',
    '                             the time of the last change included, and attachments purged by retention',
    '  incident/incident.json     the incident record: people, clocks, checklist, components, breach summary',
    '  incident/timeline.json     every timeline entry, oldest first',
    '  incident/decisions.json    the entries that record a decision (triage and decisions with rationale)',
    '  report/report.html, .pdf   the same facts for people: summary, roles, clocks and whether each was met,',
    '                             timeline, communications, review and actions, breach obligations',
    '  communications/*.eml       each message sent by email, as sent (RFC 5322); messages.json lists them',
    '  review/                    the post-incident review and its corrective and preventive actions',
    '  breach/                    the breach record with its versions, assessments and obligations, and the',
    '                             reports and notices submitted',
    "  attachments/               the incident's evidence files, named <sha256>-<filename>; items.json lists them",
    '  audit/segment.json         the audit entries that changed the incident, complete with their chain data',
    '',
    'Verify it offline',
    '  vigil verify-package THIS-FILE.zip',
    'checks the SHA-256 and size of every file against the manifest, that no file is missing or extra,',
    "the manifest against the SHA-256 in the ZIP comment, and the audit segment: each entry's digest",
    '(SHA-256 of its detail) and hash (SHA-256 over its canonical fields), strictly increasing sequence',
    "numbers, and prevHash = the previous entry's hash wherever two entries are neighbours in the chain.",
    'It prints OK with a summary, or names each file or audit seq that is wrong; exit code 0 or 1.',
    '',
    'Anchor it to the live chain',
    `  ${anchor}`,
    '  On the Vigil that produced the package, GET /api/v1/audit/verify (or vigil audit verify) confirms',
    '  the whole chain is intact; the entry with that seq in the live log must have the same hash. A chain',
    "  that verifies and still holds that entry proves the package's entries were not rewritten since.",
    '',
  ];
  return Buffer.from(lines.join('\n'), 'utf8');
}
