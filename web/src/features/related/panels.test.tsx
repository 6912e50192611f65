// Component tests of the record page's panels, with the API answered by a stub of fetch.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import type { ReactNode } from 'react';
import type { EntityDefinition } from '../../api/types';
import { AuditHistory, fieldChanges } from './AuditHistory';
import { Timeline } from './Timeline';

type Handler = (url: string, init: RequestInit) => { status: number; body?: unknown };
let calls: { url: string; init: RequestInit }[] = [];

function stubApi(handler: Handler) {
  calls = [];
  vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const { status, body } = handler(decodeURIComponent(url), init);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  }));
}

function wrap(ui: ReactNode) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={qc}>
      <MemoryRouter>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}

const account: EntityDefinition = {
  name: 'account',
  set_name: 'accounts',
  attributes: [
    { name: 'name', type: 'string', display_name: { en: 'Account name', zh: '客户名称' } },
    { name: 'employees', type: 'integer', display_name: { en: 'Employees', zh: '员工数' } },
    { name: 'city', type: 'string', display_name: { en: 'City', zh: '城市' } },
  ],
};
const ID = '01a2155b-e768-7c4e-8875-02e9bdaf9f3c';

beforeEach(() => {
  document.cookie = 'meridian_csrf=csrf-token';
});
afterEach(() => vi.unstubAllGlobals());

describe('fieldChanges', () => {
  it('reads updates as before/after and a delete as before values', () => {
    expect(fieldChanges({ seq: 2, at: '', action: 'update', changes: { employees: { old: 10, new: 20 }, city: { old: null, new: 'Shanghai' } } })).toEqual([
      { field: 'city', before: null, after: 'Shanghai' },
      { field: 'employees', before: 10, after: 20 },
    ]);
    expect(fieldChanges({ seq: 3, at: '', action: 'delete', changes: { name: 'Contoso' } })).toEqual([{ field: 'name', before: 'Contoso', after: null }]);
  });
});

describe('AuditHistory', () => {
  it("shows an update's fields with the values before and after, by their labels", async () => {
    stubApi(() => ({
      status: 200,
      body: {
        value: [
          { seq: 10, at: '2030-05-01T09:30:00Z', action: 'update', user_name: 'Li Lei', changes: { employees: { old: 10, new: 1200 }, city: { old: null, new: 'Shanghai' } } },
          { seq: 6, at: '2030-05-01T09:00:00Z', action: 'create', user_name: 'Li Lei', changes: { name: 'Contoso' } },
        ],
      },
    }));
    wrap(<AuditHistory entity={account} id={ID} />);
    const history = await screen.findByRole('region', { name: 'History' });
    const employees = await within(history).findByRole('row', { name: /Employees/ });
    expect(within(employees).getAllByRole('cell').map((c) => c.textContent)).toEqual(['10', '1,200']);
    const city = within(history).getByRole('row', { name: /City/ });
    expect(within(city).getAllByRole('cell').map((c) => c.textContent)).toEqual(['(empty)', 'Shanghai']);
    expect(within(history).getByText('Created')).toBeTruthy();
    expect(calls[0]!.url).toContain(`$filter=record_id%20eq%20${ID}`);
    expect(calls[0]!.url).toContain('$orderby=seq%20desc');
  });

  it('is hidden from users who may not read the audit trail', async () => {
    stubApi(() => ({ status: 403, body: { error: { code: 'admin_required', message: 'administrators only' } } }));
    const { container } = wrap(<AuditHistory entity={account} id={ID} />);
    await waitFor(() => expect(calls.length).toBe(1));
    await waitFor(() => expect(container.querySelector('section')).toBeNull());
  });
});

describe('Timeline', () => {
  const note: EntityDefinition = { name: 'note', set_name: 'notes', display_name: { en: 'Note', zh: '备注' }, attributes: [{ name: 'subject', type: 'string', required: true, display_name: { en: 'Subject' } }] };
  const task: EntityDefinition = { name: 'task', set_name: 'tasks', display_name: { en: 'Task', zh: '任务' }, attributes: [{ name: 'subject', type: 'string', required: true, display_name: { en: 'Subject' } }] };
  const activity: EntityDefinition = {
    name: 'activity',
    set_name: 'activities',
    union: ['note', 'task'],
    attributes: [{ name: 'status', type: 'choice', options: [{ value: 'open', label: { en: 'Open', zh: '未完成' } }] }],
  };

  it('lists activities newest first and adds a note regarding the record, with the error next to the subject', async () => {
    const created: unknown[] = [];
    const value: Record<string, unknown>[] = [
      { id: 'a1', activity_type: 'task', subject: 'Send the quote', status: 'open', created_at: '2030-05-01T09:00:00Z', regarding_id: ID, regarding_type: 'account' },
      { id: 'a0', activity_type: 'task', subject: 'Rolled up', status: 'open', created_at: '2030-04-01T09:00:00Z', regarding_id: 'c1', regarding_type: 'contact' },
    ];
    const contact: EntityDefinition = { name: 'contact', set_name: 'contacts', display_name: { en: 'Contact', zh: '联系人' }, attributes: [] };
    stubApi((url, init) => {
      if (url.includes('metadata/entities')) return { status: 200, body: { value: [account, contact] } };
      if (init.method === 'POST') {
        const body = JSON.parse(String(init.body)) as { subject: string | null };
        if (!body.subject) return { status: 400, body: { error: { code: 'required', message: 'subject is required', target: 'subject' } } };
        created.push(body);
        value.unshift({ id: 'a2', activity_type: 'note', subject: body.subject, status: 'open', created_at: '2030-05-02T09:00:00Z' });
        return { status: 204 };
      }
      return { status: 200, body: { value } };
    });
    wrap(<Timeline entity={account} id={ID} union={activity} members={[note, task]} />);
    const list = await screen.findByRole('list', { name: 'Activities' });
    expect(within(list).getByText('Send the quote')).toBeTruthy();
    expect(within(list).getAllByText(/Open/)).toHaveLength(2);
    const read = calls.find((c) => c.url.includes('/timeline'))!;
    expect(read.url).toBe(`/api/v1/accounts(${ID})/timeline?$select=${encodeURIComponent('activity_type,subject,description,status,due_at,created_at,regarding_id,regarding_type')}&$top=25`);
    // An activity of a related record (rolled up by the server) links to it.
    const via = await within(list).findByRole('link', { name: 'on a related Contact' });
    expect(via.getAttribute('href')).toBe('/contacts/c1');

    await userEvent.type(screen.getByLabelText('Description'), 'Asked for 40 arms');
    await userEvent.click(screen.getByRole('button', { name: 'Add Note' }));
    const subject = screen.getByRole('textbox', { name: 'Subject' });
    await waitFor(() => expect(subject.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(subject.getAttribute('aria-describedby')!)?.textContent).toBe('Subject is required.');
    expect((screen.getByLabelText('Description') as HTMLTextAreaElement).value).toBe('Asked for 40 arms');

    await userEvent.type(subject, 'Call with the plant manager');
    await userEvent.click(screen.getByRole('button', { name: 'Add Note' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(3));
    expect(within(list).getAllByRole('listitem')[0]!.textContent).toContain('Call with the plant manager');
    expect(created).toEqual([{ subject: 'Call with the plant manager', description: 'Asked for 40 arms', regarding_id: ID, regarding_type: 'account' }]);
    const post = calls.find((c) => c.init.method === 'POST')!;
    expect(post.url).toBe('/api/v1/notes');
    expect((post.init.headers as Record<string, string>)['X-CSRF-Token']).toBe('csrf-token');
  });
});
