import { formatInstant, policyZoneTitle } from '../format.ts';

/** An instant in the viewer's zone, with the policy's zone on hover. */
export function Instant({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  return (
    <time dateTime={at} title={policyZoneTitle(at)}>
      {formatInstant(at)}
    </time>
  );
}
