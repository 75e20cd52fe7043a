import { describe, expect, it } from 'vitest';
import { createLogger, redactUrl } from './logger.ts';

describe('redactUrl', () => {
  it('hides credentials carried in the query', () => {
    expect(redactUrl('/api/v1/signals/azure-monitor?token=vgi_secret&x=1')).toBe(
      '/api/v1/signals/azure-monitor?token=[redacted]&x=1',
    );
    expect(redactUrl('/auth/oidc/callback?code=abc123&state=s')).toBe(
      '/auth/oidc/callback?code=[redacted]&state=s',
    );
  });

  it('hides the secret of a shared link, and leaves other paths alone', () => {
    expect(redactUrl('/shared/Zm9vYmFyYmF6')).toBe('/shared/[redacted]');
    expect(redactUrl('/shared/Zm9vYmFyYmF6?download=1')).toBe('/shared/[redacted]?download=1');
    expect(redactUrl('/api/v1/incidents/INC-1')).toBe('/api/v1/incidents/INC-1');
  });

  it('writes request lines without the secret', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => lines.push(line) });
    logger.info({ req: { method: 'GET', url: '/shared/very-secret-value' } }, 'request');
    expect(lines.join('')).not.toContain('very-secret-value');
    expect(lines.join('')).toContain('/shared/[redacted]');
  });
});
