import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import '../../i18n';
import { OptionEditor } from './OptionEditor';
import { newOption } from './designer';
import type { OptionRow } from './designer';
import type { FieldMessage } from '../records/errors';

function Harness({ initial, errors = {} }: { initial: OptionRow[]; errors?: Record<string, FieldMessage[]> }) {
  const [rows, setRows] = useState(initial);
  return (
    <>
      <OptionEditor rows={rows} onChange={setRows} errors={errors} />
      <output data-testid="rows">{JSON.stringify(rows.map(({ value, en, zh }) => [value, en, zh]))}</output>
    </>
  );
}
const state = () => JSON.parse(screen.getByTestId('rows').textContent ?? '[]') as string[][];

describe('OptionEditor', () => {
  it('fills the value from the English label until it is typed by hand, and edits the Chinese label', async () => {
    const user = userEvent.setup();
    render(<Harness initial={[newOption()]} />);
    await user.type(screen.getByLabelText('English label 1'), 'Very high');
    await user.type(screen.getByLabelText('Chinese label 1'), '很高');
    expect(state()).toEqual([['very_high', 'Very high', '很高']]);
    await user.clear(screen.getByLabelText('Value 1'));
    await user.type(screen.getByLabelText('Value 1'), 'vh');
    await user.type(screen.getByLabelText('English label 1'), '!');
    expect(state()).toEqual([['vh', 'Very high!', '很高']]);
  });

  it('adds, reorders and removes options with buttons, keeping focus on the moved row', async () => {
    const user = userEvent.setup();
    const saved = { ...newOption(), value: 'gold', en: 'Gold', zh: '金', saved: true };
    render(<Harness initial={[saved]} />);
    expect(screen.getByLabelText('Value 1')).toHaveProperty('readOnly', true); // stored values stay
    await user.click(screen.getByRole('button', { name: 'Add option' }));
    await user.type(screen.getByLabelText('English label 2'), 'Silver');
    expect(screen.getByRole('button', { name: 'Move option 2 down' })).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('button', { name: 'Move option 2 up' }));
    expect(state()).toEqual([['silver', 'Silver', ''], ['gold', 'Gold', '金']]);
    await new Promise((r) => setTimeout(r, 0));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move option 1 down' }));
    await user.click(screen.getByRole('button', { name: 'Remove option 1' }));
    expect(state()).toEqual([['gold', 'Gold', '金']]);
  });

  it('shows the API’s errors next to the option at fault', () => {
    const rows = [{ ...newOption(), value: 'a', en: 'A', zh: '' }, { ...newOption(), value: 'a', en: '', zh: '' }];
    render(<Harness initial={rows} errors={{ 'options[1].value': [{ code: 'duplicate_name', message: 'option value "a" appears twice' }] }} />);
    const row = screen.getByRole('listitem', { name: 'Option 2' });
    const value = within(row).getByLabelText('Value 2');
    expect(value.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(value.getAttribute('aria-describedby')!)?.textContent).toBe('This name is already taken.');
    expect(within(screen.getByRole('listitem', { name: 'Option 1' })).getByLabelText('Value 1').getAttribute('aria-invalid')).toBeNull();
  });
});
