import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { mapErrors } from './errors';

const fields = ['name', 'employees', 'industry', 'revenue', 'account_id'];

describe('mapErrors', () => {
  it('puts every detail next to its field and drops the repeated top-level error', () => {
    const err = new ApiError(400, {
      code: 'invalid_type',
      message: 'employees: expected a whole number, got a string',
      target: 'employees',
      details: [
        { code: 'invalid_type', message: 'employees: expected a whole number, got a string', target: 'employees' },
        { code: 'invalid_choice', message: '"zzz" is not an option of industry', target: 'industry' },
      ],
    });
    const m = mapErrors(err, fields);
    expect(m.general).toEqual([]);
    expect(m.fields.employees).toEqual([{ code: 'invalid_type', message: 'employees: expected a whole number, got a string' }]);
    expect(m.fields.industry?.[0]?.code).toBe('invalid_choice');
  });

  it('maps a money currency and an @odata.bind target to their attribute', () => {
    const err = new ApiError(400, {
      code: 'invalid_format',
      message: 'bad',
      details: [
        { code: 'invalid_format', message: 'currency', target: 'revenue_currency' },
        { code: 'lookup_not_found', message: 'no such account', target: 'account_id@odata.bind' },
      ],
    });
    const m = mapErrors(err, fields);
    expect(Object.keys(m.fields).sort()).toEqual(['account_id', 'revenue']);
  });

  it('keeps errors without a known field for the form banner', () => {
    const m = mapErrors(new ApiError(412, { code: 'etag_mismatch', message: 'changed' }), fields);
    expect(m.fields).toEqual({});
    expect(m.general).toEqual([{ code: 'etag_mismatch', message: 'changed' }]);
    const n = mapErrors(new TypeError('Failed to fetch'), fields);
    expect(n.general[0]?.code).toBe('network');
  });
});
