// The React side of plugins: a plugin's rendering is mounted and cleaned up, and whatever it
// throws stays in its own place (the panel shows the error, a list cell its text, the page goes on).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PluginAPI } from './meridian-plugin';
import { plugins } from './index';
import { PluginMount } from './PluginMount';
import { PluginPanels } from './PluginPanels';
import { CommandMenu } from './CommandMenu';
import { FieldValue } from './FieldValue';

const deps = { language: () => 'en' as const, fetch: vi.fn(), log: vi.fn() };
const refresh = vi.fn(async () => undefined);

beforeAll(async () => {
  const info = (name: string) => ({ name, version: '1', description: '', entry: `/plugins/${name}/index.js` });
  await plugins.register(info('fine'), {
    register(api: PluginAPI) {
      api.registerRecordPanel({
        id: 'hello', title: { en: 'Hello panel', zh: '你好' }, entities: ['account'],
        render(el, ctx) { el.textContent = `Hello ${String(ctx.record.name)} (${ctx.language})`; },
      });
      api.registerFieldRenderer({ entity: 'account', attribute: 'revenue', render(el, ctx) { el.textContent = `bar:${ctx.formatted}`; } });
      api.registerCommand({ id: 'ok', label: { en: 'Say OK', zh: '好' }, entities: ['account'], run: (ctx) => `OK for ${ctx.id}` });
      api.registerCommand({ id: 'fail', label: { en: 'Break', zh: '坏' }, entities: ['account'], run: async () => { throw new Error('no network'); } });
    },
  }, deps);
  await plugins.register(info('broken'), {
    register(api: PluginAPI) {
      api.registerRecordPanel({ id: 'bad', title: { en: 'Broken panel', zh: '坏面板' }, render() { throw new Error('kaput'); } });
      api.registerRecordPanel({ id: 'async-bad', title: { en: 'Async panel', zh: '异步' }, render: async () => { throw new Error('rejected'); } });
      api.registerFieldRenderer({ type: 'integer', render() { throw new Error('cell'); } });
    },
  }, deps);
});

describe('PluginMount', () => {
  it('renders into its element, renders again on a new revision and cleans up', () => {
    const cleanup = vi.fn();
    const draw = vi.fn((el: HTMLElement) => { el.textContent = 'drawn'; return cleanup; });
    const ui = (rev: string) => <PluginMount plugin="p" revision={rev} render={draw} fallback={(m) => <p role="alert">{m}</p>} />;
    const { rerender, unmount, container } = render(ui('1'));
    expect(container.textContent).toBe('drawn');
    rerender(ui('1'));
    expect(draw).toHaveBeenCalledTimes(1);
    rerender(ui('2'));
    expect(draw).toHaveBeenCalledTimes(2);
    expect(cleanup).toHaveBeenCalledTimes(1);
    unmount();
    expect(cleanup).toHaveBeenCalledTimes(2);
  });
});

describe('panels', () => {
  it('shows each panel with its title; a throwing one shows its error and the others still render', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(<PluginPanels entity="account" set="accounts" id="a1" record={{ name: 'Acme' }} refresh={refresh} />);
    const ok = screen.getByRole('region', { name: 'Hello panel' });
    expect(ok.textContent).toContain('Hello Acme (en)');
    const bad = screen.getByRole('region', { name: 'Broken panel' });
    expect(within(bad).getByRole('alert').textContent).toContain('kaput');
    const rejected = screen.getByRole('region', { name: 'Async panel' });
    await waitFor(() => expect(within(rejected).getByRole('alert').textContent).toContain('rejected'));
  });

  it('shows only the panels for the entity', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(<PluginPanels entity="contact" set="contacts" id="c1" record={{}} refresh={refresh} />);
    expect(screen.queryByRole('region', { name: 'Hello panel' })).toBeNull();
    expect(screen.getByRole('region', { name: 'Broken panel' })).toBeTruthy();
  });
});

describe('field values', () => {
  it('draws a value with the plugin, and falls back to the text when the renderer throws', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { container } = render(
      <table><tbody><tr>
        <td><FieldValue entity="account" attr={{ name: 'revenue', type: 'money' }} record={{ revenue: 5 }} formatted="$5.00" place="list" /></td>
        <td><FieldValue entity="account" attr={{ name: 'employees', type: 'integer' }} record={{ employees: 7 }} formatted="7" place="list" /></td>
        <td><FieldValue entity="account" attr={{ name: 'city', type: 'string' }} record={{ city: 'Ningbo' }} formatted="Ningbo" place="list" /></td>
      </tr></tbody></table>,
    );
    const cells = [...container.querySelectorAll('td')].map((td) => td.textContent);
    expect(cells).toEqual(['bar:$5.00', '7', 'Ningbo']);
  });
});

describe('command menu', () => {
  it('runs a command and announces its result; a failing one is shown as an error', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const user = userEvent.setup();
    render(<CommandMenu entity="account" set="accounts" id="a1" record={{ name: 'Acme' }} refresh={refresh} />);
    const button = screen.getByRole('button', { name: 'Commands' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    await user.click(button);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    await user.click(screen.getByRole('button', { name: 'Say OK' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('OK for a1'));
    await user.click(button);
    await user.click(screen.getByRole('button', { name: 'Break' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('no network'));
    await user.click(button);
    await user.keyboard('{Escape}');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(button);
  });

  it('is not there when no command applies', () => {
    render(<CommandMenu entity="account" set="accounts" refresh={refresh} />);
    expect(screen.queryByRole('button', { name: 'Commands' })).toBeNull();
  });
});
