/**
 * A link to download something from the API. Signed in with a session cookie, a plain link works;
 * with a pasted API token the browser cannot send it on a link, so the file is fetched with the
 * token and saved from a blob.
 */
import './panel-parts.css';
import { useState } from 'react';
import { ApiError, storedToken } from '../api.ts';
import { ActionProblem } from './ActionProblem.tsx';

/** The file name a Content-Disposition header gives, preferring the exact UTF-8 form. */
function filenameOf(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const exact = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (exact?.[1]) return decodeURIComponent(exact[1]);
  const plain = /filename="([^"]+)"/i.exec(disposition);
  return plain?.[1] ?? fallback;
}

async function fetchAndSave(href: string, fallbackName: string): Promise<void> {
  const response = await fetch(href, {
    headers: { authorization: `Bearer ${storedToken()}` },
    credentials: 'same-origin',
  });
  if (!response.ok) {
    let body: { title?: string; detail?: string } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // Not a problem document: the status says enough.
    }
    throw new ApiError(response.status, body.title ?? response.statusText, body.detail, []);
  }
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filenameOf(response.headers.get('content-disposition'), fallbackName);
  document.body.append(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the save before the blob goes.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DownloadLink({
  href,
  filename,
  children,
  className,
}: {
  href: string;
  filename: string;
  children: React.ReactNode;
  className?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!storedToken()) {
    return (
      <a href={href} download={filename} className={className}>
        {children}
      </a>
    );
  }
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await fetchAndSave(href, filename);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={`link-button ${className ?? ''}`} onClick={save} disabled={busy}>
        {busy ? 'Downloading…' : children}
      </button>
      <ActionProblem error={error} />
    </>
  );
}
