/**
 * The exact text a record arrived as, remembered beside the parsed record
 * (an NDJSON line), so that storing the raw record keeps the sender's own
 * bytes and costs no second serialisation. Records parsed from a whole JSON
 * document have no text of their own and are serialised when stored.
 */
const texts = new WeakMap<object, string>();

/** Remembers `text` as the exact form of `record` (a parsed JSON object). */
export function rememberRawText(record: unknown, text: string): void {
  if (typeof record === 'object' && record !== null) texts.set(record, text);
}

/** The record as text: as received when known, else serialised. */
export function rawTextOf(record: unknown): string {
  return (
    (typeof record === 'object' && record !== null ? texts.get(record) : undefined) ??
    JSON.stringify(record ?? null)
  );
}
