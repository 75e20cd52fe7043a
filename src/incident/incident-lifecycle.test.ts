import { describe, expect, it } from 'vitest';
import { InvalidTransition, ValidationFailed } from '../platform/errors.ts';
import {
  allowedNextPhases,
  classifyTransition,
  requireReason,
  uncheckedMandatory,
} from './incident-lifecycle.ts';

const phases = ['identify', 'contain', 'eradicate', 'recover', 'review', 'closed'].map((id) => ({
  id,
  checklist:
    id === 'contain'
      ? [
          { id: 'a', text: 'A', mandatory: true },
          { id: 'b', text: 'B', mandatory: false },
          { id: 'c', text: 'C', mandatory: true },
        ]
      : [],
}));

describe('incident lifecycle', () => {
  it.each([
    ['identify', ['contain']],
    ['contain', ['identify', 'eradicate']],
    ['recover', ['identify', 'contain', 'eradicate', 'review']],
    ['review', ['identify', 'contain', 'eradicate', 'recover', 'closed']],
    ['closed', ['identify', 'contain', 'eradicate', 'recover', 'review']],
  ])('from %s allows %j', (from, allowed) => {
    expect(allowedNextPhases(phases, from)).toEqual(allowed);
  });

  it('classifies forward, back and reopen moves', () => {
    expect(classifyTransition(phases, 'identify', 'contain')).toBe('forward');
    expect(classifyTransition(phases, 'recover', 'contain')).toBe('back');
    expect(classifyTransition(phases, 'closed', 'identify')).toBe('reopen');
  });

  it('refuses a skipped phase, listing the allowed ones', () => {
    const error = (() => {
      try {
        classifyTransition(phases, 'identify', 'recover');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidTransition);
    expect((error as InvalidTransition).allowed).toEqual(['contain']);
  });

  it('lists unchecked mandatory items only', () => {
    expect(uncheckedMandatory(phases, 'contain', new Set(['contain/a']))).toEqual([{ id: 'c', text: 'C' }]);
    expect(uncheckedMandatory(phases, 'identify', new Set())).toEqual([]);
  });

  it('requires a non-blank reason', () => {
    expect(() => requireReason('  ', 'to reopen')).toThrow(ValidationFailed);
    expect(requireReason(' because ', 'to reopen')).toBe('because');
  });
});
