import { describe, expect, it } from 'vitest';
import { gridOf, privilegesBody, setCell } from './roles';

describe('privilege grid → PUT body', () => {
  it('sends every cell but none, * first, entities by name, privileges in API order', () => {
    let g = gridOf([]);
    g = setCell(g, 'contact', 'write', 'user');
    g = setCell(g, 'account', 'share', 'user');
    g = setCell(g, 'account', 'read', 'business_unit');
    g = setCell(g, '*', 'read', 'user');
    expect(privilegesBody(g)).toEqual({
      privileges: [
        { entity: '*', privilege: 'read', depth: 'user' },
        { entity: 'account', privilege: 'read', depth: 'business_unit' },
        { entity: 'account', privilege: 'share', depth: 'user' },
        { entity: 'contact', privilege: 'write', depth: 'user' },
      ],
    });
  });

  it('keeps grants of the role the grid did not touch and drops cells set back to none', () => {
    const g = gridOf([
      { entity: 'account', privilege: 'read', depth: 'organization' },
      { entity: 'lead', privilege: 'create', depth: 'user' },
      { entity: 'lead', privilege: 'bogus', depth: 'user' },
    ]);
    const next = setCell(g, 'account', 'read', 'none');
    expect(next.account).toBeUndefined();
    expect(g.account?.read).toBe('organization'); // not mutated
    expect(privilegesBody(next)).toEqual({ privileges: [{ entity: 'lead', privilege: 'create', depth: 'user' }] });
  });

  it('an empty grid sends an empty list (the PUT then removes every privilege)', () => {
    expect(privilegesBody({})).toEqual({ privileges: [] });
  });
});
