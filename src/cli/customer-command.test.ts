import { describe, expect, it } from 'vitest';
import { parseContact } from './customer-command.ts';

describe('parseContact', () => {
  it.each([
    ['Sam Lee <sam@acme.example> security', { name: 'Sam Lee', email: 'sam@acme.example', role: 'security' }],
    ['  Dee <DPO@Acme.example>   dpo ', { name: 'Dee', email: 'DPO@Acme.example', role: 'dpo' }],
  ])('reads %j', (value, contact) => {
    expect(parseContact(value, [])).toEqual([contact]);
  });

  it('appends to the contacts already given', () => {
    const first = parseContact('A <a@x.example> primary', []);
    expect(parseContact('B <b@x.example> legal', first).map((c) => c.name)).toEqual(['A', 'B']);
  });

  it.each(['no email here primary', 'Sam <sam@acme.example>', '<sam@acme.example> dpo'])(
    'refuses %j',
    (value) => {
      expect(() => parseContact(value, [])).toThrow(/Name <email> role/);
    },
  );
});
