import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { AttributeDefinition } from '../../api/types';
import i18n from '../../i18n';
import { FieldEditor } from './FieldEditor';
import type { FieldMessage } from './errors';
import type { Draft } from './fields';

function Harness({ attr, initial, errors }: { attr: AttributeDefinition; initial: Draft; errors?: FieldMessage[] }) {
  const [draft, setDraft] = useState<Draft>(initial);
  return (
    <QueryClientProvider client={new QueryClient()}>
      <FieldEditor attr={attr} draft={draft} onChange={(n, v) => setDraft((d) => ({ ...d, [n]: v }))} errors={errors} />
      <output data-testid="draft">{JSON.stringify(draft)}</output>
    </QueryClientProvider>
  );
}

const industry: AttributeDefinition = {
  name: 'industry',
  type: 'choice',
  display_name: { en: 'Industry', zh: '行业' },
  options: [
    { value: 'technology', label: { en: 'Technology', zh: '科技' } },
    { value: 'retail', label: { en: 'Retail', zh: '零售' } },
  ],
};

describe('FieldEditor', () => {
  it('labels a choice in the current language and stores the option value', async () => {
    await i18n.changeLanguage('zh');
    render(<Harness attr={industry} initial={{ industry: '' }} />);
    const select = screen.getByLabelText('行业');
    await userEvent.selectOptions(select, '零售');
    expect(screen.getByTestId('draft').textContent).toBe('{"industry":"retail"}');
    await i18n.changeLanguage('en');
  });

  it('shows an API error next to its field and keeps what was typed', async () => {
    const attr: AttributeDefinition = { name: 'employees', type: 'integer', display_name: { en: 'Employees' } };
    render(<Harness attr={attr} initial={{ employees: '12x' }} errors={[{ code: 'invalid_type', message: 'employees: expected a whole number' }]} />);
    const input = screen.getByLabelText('Employees') as HTMLInputElement;
    expect(input.value).toBe('12x');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const described = document.getElementById(input.getAttribute('aria-describedby')!);
    expect(described?.textContent).toBe('The value has the wrong type.');
    await userEvent.type(input, '9');
    expect(input.value).toBe('12x9');
  });

  it('edits money with its currency', async () => {
    const attr: AttributeDefinition = { name: 'revenue', type: 'money', display_name: { en: 'Revenue' } };
    render(<Harness attr={attr} initial={{ revenue: '', revenue_currency: '' }} />);
    await userEvent.type(screen.getByLabelText('Revenue'), '1250000.5');
    await userEvent.selectOptions(screen.getByLabelText('Currency of Revenue'), 'CNY');
    expect(JSON.parse(screen.getByTestId('draft').textContent!)).toEqual({ revenue: '1250000.5', revenue_currency: 'CNY' });
  });

  it('toggles multi-choice values in a labelled group', async () => {
    const attr: AttributeDefinition = { name: 'tags', type: 'multi_choice', display_name: { en: 'Tags' }, options: [{ value: 'vip', label: { en: 'VIP' } }, { value: 'new', label: { en: 'New' } }] };
    render(<Harness attr={attr} initial={{ tags: ['vip'] }} />);
    expect(screen.getByRole('group', { name: 'Tags' })).toBeTruthy();
    await userEvent.click(screen.getByLabelText('New'));
    await userEvent.click(screen.getByLabelText('VIP'));
    expect(screen.getByTestId('draft').textContent).toBe('{"tags":["new"]}');
  });
});
