import { describe, expect, it } from 'vitest';
import type { SavedView } from './views';
import { assignBatch, batchOutcome, bulkRows, editBatch, isModified, paramsFor, stateBody, stateOf } from './views';

const view = (over: Partial<SavedView> = {}): SavedView => ({
  id: 'v1', entity: 'accounts', name: 'Big in Ningbo', filter: "(employees gt 100) and (city eq 'Ningbo')",
  filter_model: { join: 'and', rows: [{ attr: 'employees', op: 'gt', value: '100' }, { attr: 'city', op: 'eq', value: 'Ningbo' }] },
  columns: ['name', 'city', 'employees'], order_by: 'employees desc', shared: false, is_default: false,
  owner_id: 'u1', mine: true, created_at: '', modified_at: '', ...over,
});

describe('saved view state', () => {
  it('reads a view back into list state and URL parameters', () => {
    const s = stateOf(view());
    expect(s).toEqual({ model: { join: 'and', rows: [{ attr: 'employees', op: 'gt', value: '100' }, { attr: 'city', op: 'eq', value: 'Ningbo' }] }, q: '', sort: 'employees', desc: true, columns: ['name', 'city', 'employees'] });
    const p = paramsFor(view({ filter_model: { join: 'or', rows: [], q: 'kestrel' }, order_by: 'name asc' }), new URLSearchParams('f=x&sort=city&dir=desc&other=1'));
    expect(p.get('view')).toBe('v1');
    expect(p.get('f')).toBeNull();
    expect(p.get('q')).toBe('kestrel');
    expect(p.get('sort')).toBe('name');
    expect(p.get('dir')).toBeNull();
    expect(p.get('other')).toBe('1');
    expect(paramsFor(undefined, new URLSearchParams('view=v1&f=x&q=y&other=1')).toString()).toBe('other=1');
  });

  it('tolerates a view without a model or order', () => {
    const s = stateOf(view({ filter_model: null, order_by: '', columns: [] }));
    expect(s).toEqual({ model: { join: 'and', rows: [] }, q: '', sort: '', desc: false, columns: [] });
  });

  it('builds the body from the list state, quick search inside the model', () => {
    const b = stateBody({ model: { join: 'and', rows: [{ attr: 'city', op: 'eq', value: 'Ningbo' }] }, q: ' kestrel ', sort: 'revenue', desc: false, columns: ['name'] }, "city eq 'Ningbo'");
    expect(b).toEqual({ filter_model: { join: 'and', rows: [{ attr: 'city', op: 'eq', value: 'Ningbo' }], q: 'kestrel' }, filter: "city eq 'Ningbo'", columns: ['name'], order_by: 'revenue asc' });
  });

  it('tells when the list differs from the view', () => {
    const s = stateOf(view());
    expect(isModified(view(), s)).toBe(false);
    expect(isModified(view(), { ...s, columns: ['employees', 'name', 'city'] })).toBe(false); // order of columns is not a change
    expect(isModified(view(), { ...s, model: { ...s.model, rows: s.model.rows.slice(1) } })).toBe(true);
    expect(isModified(view(), { ...s, model: { ...s.model, rows: [{ attr: 'employees', op: 'gt', value: '200' }, s.model.rows[1]!] } })).toBe(true);
    expect(isModified(view(), { ...s, desc: false })).toBe(true);
    expect(isModified(view(), { ...s, q: 'x' })).toBe(true);
    expect(isModified(view(), { ...s, columns: ['name'] })).toBe(true);
    // With one row the join does not matter.
    const one = view({ filter_model: { join: 'and', rows: [{ attr: 'city', op: 'eq', value: 'Ningbo' }] } });
    expect(isModified(one, { ...stateOf(one), model: { join: 'or', rows: [{ attr: 'city', op: 'eq', value: 'Ningbo' }] } })).toBe(false);
  });
});

describe('bulk batches', () => {
  const records = [
    { id: 'a', name: 'Acme', '@odata.etag': 'W/"5"' },
    { id: 'b', name: 'Bolt', '@odata.etag': 'W/"7"' },
  ];
  const rows = bulkRows(records, ['a', 'b', 'zz'], 'name');

  it('edits every row in one atomicity group with its ETag', () => {
    expect(rows.map((r) => r.name)).toEqual(['Acme', 'Bolt', 'zz']);
    const b = editBatch('accounts', rows.slice(0, 2), { city: 'Ningbo' });
    expect(b.requests).toEqual([
      { id: '1', atomicityGroup: 'edit', method: 'PATCH', url: 'accounts(a)', headers: { 'If-Match': 'W/"5"' }, body: { city: 'Ningbo' } },
      { id: '2', atomicityGroup: 'edit', method: 'PATCH', url: 'accounts(b)', headers: { 'If-Match': 'W/"7"' }, body: { city: 'Ningbo' } },
    ]);
  });

  it('assigns each row on its own', () => {
    const b = assignBatch('accounts', rows.slice(0, 1), 'u9');
    expect(b.requests).toEqual([{ id: '1', method: 'POST', url: 'accounts(a)/assign', body: { owner_id: 'u9' } }]);
  });

  it('reports each failing row with its own error', () => {
    const out = batchOutcome(rows, {
      responses: [
        { id: '1', status: 424, body: { error: { code: 'failed_dependency', message: 'rolled back' } } },
        { id: '2', status: 400, body: { error: { code: 'too_long', message: 'city is too long', target: 'city', details: [{ code: 'too_long', message: 'city is too long', target: 'city' }] } } },
        { id: '3', status: 204 },
      ],
    });
    expect(out).toEqual({ ok: 1, rolledBack: 1, failures: [{ name: 'Bolt', code: 'too_long', message: 'city is too long', target: 'city' }] });
  });
});
