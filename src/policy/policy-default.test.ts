/**
 * The built-in policy must say exactly what docs policy-semantics.md says;
 * one check per row or rule of that reference.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { wallMilliseconds } from './policy-duration.ts';
import {
  BUILT_IN_SOURCE,
  DEFAULT_POLICY_PATH,
  type LoadedPolicy,
  loadDefaultPolicy,
} from './policy-loader.ts';
import type { Policy } from './policy-types.ts';

let loaded: LoadedPolicy;
let policy: Policy;

beforeAll(async () => {
  const result = await loadDefaultPolicy();
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  loaded = result.policy;
  policy = loaded.policy;
});

/** `within` and clock of a target, as `"15 minutes wall"`. */
function spec(target: { within: { text: string }; clock: string } | null | undefined): string | null {
  return target ? `${target.within.text} ${target.clock}` : null;
}

function sla(severity: string) {
  const targets = policy.slas[severity];
  if (!targets) throw new Error(`no SLA for ${severity}`);
  return targets;
}

describe('the built-in policy', () => {
  it('loads from policy/default.yaml as "built-in" with a sha256 version', () => {
    expect(DEFAULT_POLICY_PATH).toMatch(/policy[/\\]default\.yaml$/);
    expect(loaded.source).toBe(BUILT_IN_SOURCE);
    expect(loaded.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(loaded.text).toContain('schemaVersion: 1');
  });

  it('keeps time in Europe/London, Monday to Friday 09:00-17:00, English bank holidays', () => {
    expect(policy.time).toEqual({
      timeZone: 'Europe/London',
      businessHours: {
        days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        opensAt: '09:00',
        closesAt: '17:00',
      },
      holidays: { country: 'GB', subdivision: 'ENG' },
      closures: [],
    });
  });

  it('lists the four severities, most severe first, each with a definition', () => {
    expect(policy.severities.map((s) => s.id)).toEqual(['critical', 'high', 'medium', 'low']);
    for (const severity of policy.severities) {
      expect(severity.definition.length).toBeGreaterThan(20);
      expect(severity.examples.length).toBeGreaterThan(0);
    }
  });

  it('critical, in hours: 15 min, 30 min, 4 h, first update 4 h then every 4 h, all wall', () => {
    const critical = sla('critical');
    expect(spec(critical.acknowledge)).toBe('15 minutes wall');
    expect(spec(critical.triage)).toBe('30 minutes wall');
    expect(spec(critical.containment)).toBe('4 hours wall');
    expect(spec(critical.customerUpdate)).toBe('4 hours wall');
    expect(critical.customerUpdate?.every.text).toBe('4 hours');
    expect(critical.customerUpdate?.onPhaseChange).toBe(false);
  });

  it('critical, out of hours: 60 min and 90 min wall; containment and updates unchanged', () => {
    const critical = sla('critical');
    expect(spec(critical.acknowledge.outOfHours)).toBe('60 minutes wall');
    expect(spec(critical.triage.outOfHours)).toBe('90 minutes wall');
    expect(critical.containment.outOfHours).toBeUndefined();
    expect(critical.customerUpdate?.outOfHours).toBeUndefined();
  });

  it('high: 1 h, 2 h, 1 business day, updates 1 business day then daily (business)', () => {
    const high = sla('high');
    expect([
      spec(high.acknowledge),
      spec(high.triage),
      spec(high.containment),
      spec(high.customerUpdate),
    ]).toEqual(['1 hour business', '2 hours business', '1 day business', '1 day business']);
    expect(high.customerUpdate?.every.text).toBe('1 day');
    expect(high.customerUpdate?.onPhaseChange).toBe(false);
  });

  it('medium: 4 h, 1 day, 3 days, updates every 3 business days and at each phase change', () => {
    const medium = sla('medium');
    expect([
      spec(medium.acknowledge),
      spec(medium.triage),
      spec(medium.containment),
      spec(medium.customerUpdate),
    ]).toEqual(['4 hours business', '1 day business', '3 days business', '3 days business']);
    expect(medium.customerUpdate?.every.text).toBe('3 days');
    expect(medium.customerUpdate?.onPhaseChange).toBe(true);
  });

  it('low: 1 day, 2 days, 10 business days, no customer updates', () => {
    const low = sla('low');
    expect([spec(low.acknowledge), spec(low.triage), spec(low.containment)]).toEqual([
      '1 day business',
      '2 days business',
      '10 days business',
    ]);
    expect(low.customerUpdate).toBeNull();
  });

  it('only critical has out-of-hours variants', () => {
    for (const id of ['high', 'medium', 'low']) {
      const targets = sla(id);
      expect([targets.acknowledge, targets.triage, targets.containment].map((t) => t.outOfHours)).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    }
  });

  it('marks clocks at risk at 75%, stops updates at review, escalates breaches to owner and successor', () => {
    expect(policy.slaRules).toMatchObject({
      atRiskFraction: 0.75,
      customerUpdatesUntil: 'review',
      notifyOnBreach: ['incident_owner', 'next_in_succession'],
    });
  });

  it('owes a milestone customer update within 4 business hours of a phase change', () => {
    expect(spec(policy.slaRules.milestoneUpdate)).toBe('4 hours business');
  });

  it('lists the five incident categories, each with a runbook', () => {
    expect(policy.categories.map((c) => [c.id, c.runbook])).toEqual([
      ['unauthorised_access', 'runbooks/unauthorised-access.md'],
      ['data_exposure_risk', 'runbooks/data-exposure-risk.md'],
      ['service_compromise', 'runbooks/service-compromise.md'],
      ['service_degradation', 'runbooks/service-degradation.md'],
      ['policy_violation', 'runbooks/policy-violation.md'],
    ]);
    for (const category of policy.categories) expect(category.description.length).toBeGreaterThan(40);
  });

  it('lists the seven components in scope', () => {
    expect(policy.components.map((c) => c.id)).toEqual([
      'api',
      'frontend',
      'ai_processing',
      'database',
      'storage',
      'messaging',
      'identity_access',
    ]);
  });

  it('parses every runbook into steps for each phase before closed', () => {
    expect(Object.keys(loaded.runbooks)).toEqual(policy.categories.map((c) => c.id));
    for (const [id, runbook] of Object.entries(loaded.runbooks)) {
      expect(runbook.path).toBe(policy.categories.find((c) => c.id === id)?.runbook);
      expect(Object.keys(runbook.phases)).toEqual(['identify', 'contain', 'eradicate', 'recover', 'review']);
      for (const steps of Object.values(runbook.phases)) {
        // Each phase holds a list of at least three steps and no heading of its own.
        expect(steps.match(/^- /gm)?.length ?? 0).toBeGreaterThanOrEqual(3);
        expect(steps).not.toMatch(/^#{1,2} /m);
      }
    }
    expect(loaded.runbooks.service_compromise?.phases.identify).toContain('Defender for SQL');
  });

  it('keeps the exact text of each runbook and template file, sorted by path, for storage with the version', async () => {
    expect(loaded.files.map((f) => f.path)).toEqual([
      '(built-in)/templates/breach-notification.txt',
      '(built-in)/templates/customer-update.txt',
      '(built-in)/templates/emergency-page.txt',
      '(built-in)/templates/escalation.txt',
      '(built-in)/templates/initial-notification.txt',
      '(built-in)/templates/internal-update.txt',
      '(built-in)/templates/resolution.txt',
      '(built-in)/templates/update-reminder.txt',
      'runbooks/data-exposure-risk.md',
      'runbooks/policy-violation.md',
      'runbooks/service-compromise.md',
      'runbooks/service-degradation.md',
      'runbooks/unauthorised-access.md',
    ]);
    const folder = dirname(DEFAULT_POLICY_PATH);
    for (const file of loaded.files) {
      const onDisk = file.path.replace(/^\(built-in\)\//, '');
      expect(file.content).toBe(await readFile(join(folder, onDisk), 'utf8'));
    }
  });

  it('uses the eight built-in templates, each naming the incident reference in its subject', () => {
    expect(Object.keys(loaded.templates)).toEqual([
      'initial_notification',
      'customer_update',
      'resolution',
      'breach_notification',
      'internal_update',
      'escalation',
      'update_reminder',
      'emergency_page',
    ]);
    for (const [id, template] of Object.entries(loaded.templates)) {
      expect(template.id).toBe(id);
      expect(template.path).toBe(`(built-in)/templates/${id.replaceAll('_', '-')}.txt`);
      expect(template.subject).toMatch(/^\[\{\{reference\}\}\] /);
      expect(template.variables).toContain('recipientName');
    }
    expect(loaded.templates.customer_update?.audience).toBe('customers');
    expect(loaded.templates.escalation?.audience).toBe('internal');
    expect(loaded.templates.escalation?.variables).toEqual(
      expect.arrayContaining(['clock', 'dueAt', 'breachedAt', 'reason']),
    );
    for (const id of ['initial_notification', 'customer_update', 'resolution', 'breach_notification']) {
      expect(loaded.templates[id]?.variables).toEqual(
        expect.arrayContaining(['whatHappened', 'whatWeAreDoing', 'whatYouShouldDo', 'nextUpdateAt']),
      );
    }
  });

  it('has the lifecycle identify, contain, eradicate, recover, review, closed', () => {
    expect(policy.lifecycle.phases.map((p) => p.id)).toEqual([
      'identify',
      'contain',
      'eradicate',
      'recover',
      'review',
      'closed',
    ]);
    const contain = policy.lifecycle.phases.find((p) => p.id === 'contain');
    expect(contain?.checklist.map((item) => item.id)).toEqual([
      'access-restricted',
      'components-isolated',
      'credentials-rotated',
      'malicious-traffic-blocked',
    ]);
  });

  it('gives command to the CPO, then the most senior engineering leaders; the owner approves regulator contact', () => {
    expect(policy.command.primaryOwner.title).toBe('Chief Product Officer');
    expect(policy.command.succession.map((p) => p.title)).toEqual([
      'Chief Technology Officer',
      'Head of Engineering',
    ]);
    expect(policy.command.regulatorContactApprover).toBe('owner');
    expect(policy.command.regulatorContactInputs).toEqual(['leadership', 'legal']);
    expect(policy.roles.map((r) => r.id)).toEqual([
      'owner',
      'technical_responder',
      'communications_lead',
      'regulator_approver',
    ]);
  });

  it('notifies the ICO 72 h (wall) from awareness and customers 72 h from confirmation', () => {
    const [gdpr] = policy.breachNotification.regimes;
    expect(gdpr?.id).toBe('uk-gdpr');
    expect(gdpr?.enabled).toBe(true);
    expect(gdpr?.appliesTo).toBe('personal_data_breach');
    const byId = new Map(gdpr!.obligations.map((o) => [o.id, o]));
    const regulator = byId.get('regulator')!;
    const customers = byId.get('customers')!;
    expect([regulator.audience, regulator.from, regulator.clock, regulator.when]).toEqual([
      'regulator',
      'awareness',
      'wall',
      'risk_to_rights',
    ]);
    expect([customers.audience, customers.from, customers.clock, customers.when]).toEqual([
      'customers',
      'confirmation',
      'wall',
      'always',
    ]);
    expect(byId.get('people')?.when).toBe('high_risk');
    expect(wallMilliseconds(regulator.within)).toBe(72 * 3_600_000);
    expect(wallMilliseconds(customers.within)).toBe(72 * 3_600_000);
    expect(gdpr?.delayReasonsRequiredWhenLate).toBe(true);
    expect(policy.breachNotification.registerEveryBreach).toBe(true);
    expect(policy.breachNotification.warnBefore.map((d) => d.text)).toEqual([
      '24 hours',
      '12 hours',
      '4 hours',
    ]);
  });

  it('keeps telemetry 30 days from receipt, evidence 24 months from closure, and honours legal hold', () => {
    expect(policy.retention.telemetry.keep.days).toBe(30);
    expect(policy.retention.telemetry.from).toBe('receipt');
    expect(policy.retention.evidence.keep.months).toBe(24);
    expect(policy.retention.evidence.from).toBe('incident_closed');
    expect(policy.retention.legalHoldBlocksPurge).toBe(true);
  });

  it('requires reviews for critical and high; exercises every 12 months with a 30-day warning', () => {
    expect(policy.reviews.requiredForSeverities).toEqual(['critical', 'high']);
    expect(policy.reviews.approver).toBe('owner');
    expect(policy.reviews.correctiveActionsNeedOwnerAndDueDate).toBe(true);
    expect(policy.exercises.every.months).toBe(12);
    expect(policy.exercises.warnBefore.days).toBe(30);
  });

  it('talks to customers by email and has no status page', () => {
    expect(policy.communications).toMatchObject({
      customerChannel: 'email',
      internalChannel: 'email',
      statusPage: false,
    });
  });

  it('has customer drafts approved by the communications lead or owner, internal ones not at all', () => {
    expect(policy.communications.approvers).toEqual({
      customers: ['communications_lead', 'owner'],
      internal: [],
    });
    expect(wallMilliseconds(policy.communications.deliveryAlertAfter)).toBe(30 * 60_000);
    expect(policy.communications.templates).toEqual({});
    expect(policy.communications.webhooks).toEqual([]);
  });

  it('pages the owner and the line of succession when a critical incident opens out of hours', () => {
    const { emergency } = policy.communications;
    expect(emergency.severities).toEqual(['critical']);
    expect(emergency.outOfHoursOnly).toBe(true);
    expect(emergency.notify).toEqual([policy.command.primaryOwner, ...policy.command.succession]);
    expect(emergency.webhooks).toEqual([]);
  });
});
