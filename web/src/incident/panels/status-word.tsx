/** A status as a word in a pill; the colour only repeats what the word says. */
import './panels.css';

const TONES: Record<string, 'good' | 'warn' | 'bad' | 'plain'> = {
  sent: 'good',
  approved: 'good',
  submitted: 'good',
  done: 'good',
  met: 'good',
  confirmed: 'bad',
  failed: 'bad',
  breached: 'bad',
  queued: 'warn',
  pending: 'warn',
  in_review: 'warn',
  in_progress: 'warn',
  at_risk: 'warn',
  suspected: 'warn',
};

const WORDS: Record<string, string> = { wont_do: 'won’t do' };

export function StatusWord({ status }: { status: string }) {
  return (
    <span className={`status-word status-${TONES[status] ?? 'plain'}`}>
      {WORDS[status] ?? status.replaceAll('_', ' ')}
    </span>
  );
}
