/**
 * The ordered list of migrations. A migration is never edited once it is on
 * main: add a new file and list it here.
 */
import * as foundation from './0001-foundation.ts';
import * as incidentLifecycle from './0002-incident-lifecycle.ts';
import * as breachedClockIndexes from './0003-breached-clock-indexes.ts';
import * as customers from './0004-customers.ts';
import * as communications from './0005-communications.ts';
import * as signals from './0006-signals.ts';
import * as breaches from './0007-breaches.ts';
import * as reviews from './0008-reviews.ts';
import * as exercises from './0009-exercises.ts';
import * as exerciseIncidents from './0010-exercise-incidents.ts';
import * as exerciseSignalQueue from './0011-exercise-signal-queue.ts';
import * as evidenceVault from './0012-evidence-vault.ts';
import * as retention from './0013-retention.ts';
import * as evidenceRequests from './0014-evidence-requests.ts';
import * as signIn from './0015-sign-in.ts';
import * as oidc from './0016-oidc.ts';
import * as accessControl from './0017-access-control.ts';
import * as signalShelves from './0018-signal-shelves.ts';
import * as followUpNextCheck from './0019-follow-up-next-check.ts';

export const migrations = [
  { name: '0001-foundation', module: foundation },
  { name: '0002-incident-lifecycle', module: incidentLifecycle },
  { name: '0003-breached-clock-indexes', module: breachedClockIndexes },
  { name: '0004-customers', module: customers },
  { name: '0005-communications', module: communications },
  { name: '0006-signals', module: signals },
  { name: '0007-breaches', module: breaches },
  { name: '0008-reviews', module: reviews },
  { name: '0009-exercises', module: exercises },
  { name: '0010-exercise-incidents', module: exerciseIncidents },
  { name: '0011-exercise-signal-queue', module: exerciseSignalQueue },
  { name: '0012-evidence-vault', module: evidenceVault },
  { name: '0013-retention', module: retention },
  { name: '0014-evidence-requests', module: evidenceRequests },
  { name: '0015-sign-in', module: signIn },
  { name: '0016-oidc', module: oidc },
  { name: '0017-access-control', module: accessControl },
  { name: '0018-signal-shelves', module: signalShelves },
  { name: '0019-follow-up-next-check', module: followUpNextCheck },
] as const;
