/**
 * The evidence vault of an incident: every attachment with its SHA-256, who added it and when;
 * uploading a file with a description; downloading one, or the whole evidence package.
 */
import './panels.css';
import { useRef, useState } from 'react';
import { ApiError, upload } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { DownloadLink } from '../../components/DownloadLink.tsx';
import { FieldWithError } from '../../components/FieldWithError.tsx';
import { Instant } from '../../components/Instant.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/States.tsx';
import { useApiAction, useApiResource, useReloadWhenChanged } from '../../components/useApiResource.ts';
import type { PanelProps } from '../types.ts';

interface EvidenceItem {
  id: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  filename: string;
  description: string;
  addedBy: string;
  addedAt: string;
  purgedAt: string | null;
  links: { self: string; content: string };
}

const sizeFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${sizeFormat.format(value)} ${units[unit]}`;
}

/** The first 12 hex digits, the whole on hover and a button to copy it. */
function ShortHash({ sha256 }: { sha256: string }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'unavailable'>('no');
  const copy = async () => {
    try {
      // The clipboard exists only in a secure context (HTTPS or localhost).
      await navigator.clipboard.writeText(sha256);
      setCopied('yes');
    } catch {
      setCopied('unavailable');
    }
  };
  if (copied === 'unavailable') {
    // Shown whole, to select and copy by hand.
    return <code className="hash hash-full">{sha256}</code>;
  }
  return (
    <span>
      <code className="hash" title={sha256}>
        {sha256.slice(0, 12)}…
      </code>{' '}
      <button type="button" className="link-button" onClick={copy} aria-label={`Copy SHA-256 ${sha256}`}>
        {copied === 'yes' ? 'copied' : 'copy'}
      </button>
    </span>
  );
}

/** "notes.bin (100 KiB) is larger than the policy's limit of 64 KiB for one attachment." */
function tooLargeMessage(file: File | null, error: unknown): string {
  const limit = /limit of (\d+) bytes/.exec(error instanceof ApiError ? (error.detail ?? '') : '')?.[1];
  const what = file ? `${file.name} (${formatBytes(file.size)})` : 'The file';
  return limit
    ? `${what} is larger than the policy’s limit of ${formatBytes(Number(limit))} for one attachment.`
    : `${what} is larger than the policy allows for one attachment.`;
}

interface PolicyAnswer {
  policy: { evidence?: { maxAttachmentSize?: { text: string; bytes: number } } };
}

function UploadForm({ incidentId, onUploaded }: { incidentId: string; onUploaded: () => Promise<void> }) {
  // The limit, when the caller may read the policy; without it the server's 413 still says it.
  const policy = useApiResource<PolicyAnswer>('/api/v1/policy');
  const limit = policy.data?.policy.evidence?.maxAttachmentSize?.text;
  const [file, setFile] = useState<File | null>(null);
  const [description, setDescription] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const action = useApiAction();
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setDone(null);
    const ok = await action.run(
      () =>
        upload<EvidenceItem>(`/api/v1/incidents/${incidentId}/evidence`, file, {
          filename: file.name,
          description,
        }),
      onUploaded,
    );
    if (ok) {
      setDone(file.name);
      setFile(null);
      setDescription('');
      if (fileInput.current) fileInput.current.value = '';
    }
  };
  const tooLarge = action.error instanceof ApiError && action.error.status === 413;
  return (
    <form onSubmit={submit} aria-label="Attach a file">
      <h3>Attach a file</h3>
      <div className="form-grid">
        <FieldWithError
          label="File"
          hint={limit ? `Up to ${limit} a file (the policy’s limit).` : undefined}
          error={action.error}
          field="filename"
        >
          {(control) => (
            <input
              {...control}
              ref={fileInput}
              type="file"
              required
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          )}
        </FieldWithError>
        <FieldWithError label="Description" error={action.error} field="description">
          {(control) => (
            <input
              {...control}
              value={description}
              maxLength={2000}
              onChange={(e) => setDescription(e.target.value)}
            />
          )}
        </FieldWithError>
      </div>
      {tooLarge ? (
        <div className="action-problem" role="alert">
          <p>
            <strong>{tooLargeMessage(file, action.error)}</strong> Nothing was stored.
          </p>
        </div>
      ) : (
        <ActionProblem error={action.error} shownAtFields={['filename', 'description']} />
      )}
      {done && (
        <p className="success-note" role="status">
          Attached {done}.
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={!file || action.busy}>
          {action.busy ? 'Uploading…' : 'Upload'}
        </button>
      </div>
    </form>
  );
}

function EvidenceTable({ items }: { items: EvidenceItem[] }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it.
    <section className="table-scroll" tabIndex={0} aria-label="Attachments">
      <table className="stacking-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Size</th>
            <th scope="col">Media type</th>
            <th scope="col">SHA-256</th>
            <th scope="col">Added</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              <td data-label="File">
                {item.purgedAt ? (
                  <span>
                    {item.filename}{' '}
                    <span className="item-meta">
                      (purged <Instant at={item.purgedAt} />)
                    </span>
                  </span>
                ) : (
                  <DownloadLink href={item.links.content} filename={item.filename}>
                    {item.filename}
                  </DownloadLink>
                )}
                {item.description && <div className="item-meta">{item.description}</div>}
              </td>
              <td data-label="Size">{formatBytes(item.sizeBytes)}</td>
              <td data-label="Media type">{item.mediaType}</td>
              <td data-label="SHA-256">
                <ShortHash sha256={item.sha256} />
              </td>
              <td data-label="Added">
                {item.addedBy.replace(/^user:/, '')}
                <div className="item-meta">
                  <Instant at={item.addedAt} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export default function EvidencePanel({ incident }: PanelProps) {
  const list = useApiResource<{ items: EvidenceItem[] }>(`/api/v1/incidents/${incident.id}/evidence`);
  useReloadWhenChanged(incident.updatedAt, list.reload);
  let body: React.ReactNode;
  if (list.error instanceof ApiError && list.error.status === 403) {
    body = <p className="panel-note">Your role does not include this incident’s evidence.</p>;
  } else if (list.error && !list.data) {
    body = <ErrorState error={list.error} retry={list.reload} />;
  } else if (!list.data) {
    body = <LoadingState label="Loading evidence" />;
  } else {
    body = (
      <>
        {list.data.items.length === 0 ? (
          <EmptyState>No files attached yet.</EmptyState>
        ) : (
          <EvidenceTable items={list.data.items} />
        )}
        <p>
          <DownloadLink
            href={`/api/v1/incidents/${incident.id}/evidence-package`}
            filename={`${incident.reference}-evidence.zip`}
          >
            Download the evidence package (ZIP)
          </DownloadLink>
        </p>
        {incident.evidencePurgedAt ? (
          <p className="panel-note">
            Evidence was purged under the retention policy <Instant at={incident.evidencePurgedAt} />.
          </p>
        ) : (
          <UploadForm incidentId={incident.id} onUploaded={list.reload} />
        )}
      </>
    );
  }
  return (
    <section className="panel" aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">Evidence</h2>
      {body}
    </section>
  );
}
