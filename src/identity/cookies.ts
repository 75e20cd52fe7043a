/**
 * The little of RFC 6265 Vigil needs: read one cookie from a `Cookie` header
 * and write the `Set-Cookie` value of the session cookie. Hand-written
 * because `@fastify/cookie` is not a dependency, and a session needs no more.
 */

/** The session cookie's name. */
export const SESSION_COOKIE = 'vigil_session';

/**
 * The value of cookie `name` in a `Cookie` request header, or undefined.
 * The first occurrence wins, as browsers send the most specific path first.
 * Values are taken as sent (Vigil's own values are base64url, never quoted or
 * percent-encoded); surrounding double quotes are removed.
 *
 * @example readCookie('a=1; vigil_session=abc', 'vigil_session') // 'abc'
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}

export interface SetCookieOptions {
  /** Adds `Secure`: only when the request arrived over TLS (directly or via a trusted proxy). */
  secure: boolean;
  /** `Strict` for the session; `Lax` only for a cookie that must survive a cross-site redirect. */
  sameSite?: 'Strict' | 'Lax';
  /** Seconds until the browser drops the cookie; omitted, it lives as long as the browser session. */
  maxAgeSeconds?: number;
}

const COOKIE_VALUE = /^[A-Za-z0-9._~-]*$/;

/**
 * A `Set-Cookie` header value: HttpOnly (scripts never read it), Path=/,
 * SameSite=Strict unless told otherwise. `value: null` clears the cookie.
 *
 * @example setCookie('vigil_session', 'abc', { secure: true })
 * // 'vigil_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure'
 */
export function setCookie(name: string, value: string | null, options: SetCookieOptions): string {
  if (value !== null && !COOKIE_VALUE.test(value)) {
    throw new Error('a cookie value must be URL-safe text');
  }
  const parts = [`${name}=${value ?? ''}`, 'Path=/', 'HttpOnly', `SameSite=${options.sameSite ?? 'Strict'}`];
  if (value === null) parts.push('Max-Age=0');
  else if (options.maxAgeSeconds !== undefined)
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
