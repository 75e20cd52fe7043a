/** The policy's severities and phases (ids and names), for filters and the phase stepper. */
import { useEffect, useState } from 'react';
import { get } from '../api.ts';

export interface PolicyOutline {
  severities: { id: string; name: string }[];
  phases: { id: string; name: string; description?: string }[];
}

let cached: Promise<PolicyOutline> | null = null;

export function usePolicyOutline(): PolicyOutline | null {
  const [outline, setOutline] = useState<PolicyOutline | null>(null);
  useEffect(() => {
    cached ??= get<{
      policy: { severities: PolicyOutline['severities']; lifecycle: { phases: PolicyOutline['phases'] } };
    }>('/api/v1/policy').then((p) => ({
      severities: p.policy.severities,
      phases: p.policy.lifecycle.phases,
    }));
    cached.then(setOutline, () => {
      // Without the policy the pages fall back to the ids they see; try again next time.
      cached = null;
    });
  }, []);
  return outline;
}
