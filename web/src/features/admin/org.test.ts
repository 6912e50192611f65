import { describe, expect, it } from 'vitest';
import { buildTree, flatten, memberRefBody, newUserBody } from './org';
import type { Unit } from './org';

const u = (id: string, name: string, parent?: string | null): Unit => ({ id, name, parent_business_unit_id: parent ?? null });

describe('buildTree', () => {
  it('nests units under their parents, children by name', () => {
    const tree = buildTree([u('c', 'Sales East', 'b'), u('a', 'Root'), u('b', 'Sales', 'a'), u('d', 'Finance', 'a'), u('e', 'Sales Central', 'b')]);
    expect(tree).toHaveLength(1);
    expect(flatten(tree).map((x) => `${x.depth}:${x.unit.name}`)).toEqual(['0:Root', '1:Finance', '1:Sales', '2:Sales Central', '2:Sales East']);
  });

  it('makes a unit whose parent is missing (not visible) a root', () => {
    const tree = buildTree([u('b', 'Orphan', 'gone'), u('a', 'Root')]);
    expect(tree.map((n) => n.unit.name)).toEqual(['Orphan', 'Root']);
  });

  it('does not loop on a cycle or a self-parent; every unit appears once', () => {
    const units = [u('a', 'Root'), u('x', 'X', 'y'), u('y', 'Y', 'x'), u('s', 'Self', 's')];
    const flat = flatten(buildTree(units));
    expect(flat.map((x) => x.unit.id).sort()).toEqual(['a', 's', 'x', 'y']);
  });

  it('is empty for no units', () => {
    expect(buildTree([])).toEqual([]);
  });
});

describe('memberRefBody', () => {
  it('points at the user as an OData id', () => {
    expect(memberRefBody('0193-abc')).toEqual({ '@odata.id': 'users(0193-abc)' });
  });
});

describe('newUserBody', () => {
  it('trims the names, keeps the password as typed and drops a blank unit', () => {
    expect(newUserBody({ email: ' ann@example.com ', full_name: ' Ann ', password: ' secret pass ', business_unit_id: '', roles: ['r1'] }))
      .toEqual({ email: 'ann@example.com', full_name: 'Ann', password: ' secret pass ', roles: ['r1'] });
    expect(newUserBody({ email: 'a@b.c', full_name: 'A', password: 'x', business_unit_id: 'u1', roles: [] }))
      .toEqual({ email: 'a@b.c', full_name: 'A', password: 'x', business_unit_id: 'u1', roles: [] });
  });
});
