// The plugin registry: what plugins register, how a failing plugin is kept out, which renderer,
// panels and commands a page gets.
import { describe, expect, it, vi } from 'vitest';
import type { PluginAPI } from './meridian-plugin';
import { PluginRegistry, commandsFor, panelsFor, pick, rendererFor } from './registry';
import type { PluginDeps, PluginInfo } from './registry';

const info = (name: string): PluginInfo => ({ name, version: '1.0', description: '', entry: `/plugins/${name}/index.js` });

function deps(modules: Record<string, unknown>, log = vi.fn()): PluginDeps & { log: ReturnType<typeof vi.fn> } {
  return {
    list: async () => Object.keys(modules).map(info),
    importModule: async (url) => {
      const name = url.split('/')[2]!;
      const m = modules[name];
      if (m instanceof Error) throw m;
      return m;
    },
    language: () => 'en',
    fetch: vi.fn(),
    log,
  };
}

const good = {
  register(api: PluginAPI) {
    api.registerFieldRenderer({ entity: 'account', attribute: 'revenue', render: () => undefined });
    api.registerRecordPanel({ id: 'health', title: { en: 'Health', zh: '健康' }, entities: ['account'], render: () => undefined });
    api.registerCommand({ id: 'call', label: { en: 'Log a call', zh: '记录通话' }, run: () => 'ok' });
  },
};

describe('PluginRegistry', () => {
  it('keeps what a plugin registers, with the plugin named, and tells subscribers', async () => {
    const reg = new PluginRegistry();
    const seen = vi.fn();
    reg.subscribe(seen);
    await reg.load(deps({ good }));
    const s = reg.snapshot();
    expect(s.renderers.map((r) => [r.plugin, r.attribute])).toEqual([['good', 'revenue']]);
    expect(s.panels.map((p) => [p.plugin, p.id])).toEqual([['good', 'health']]);
    expect(s.commands.map((c) => [c.plugin, c.id])).toEqual([['good', 'call']]);
    expect(s.plugins).toEqual([{ name: 'good', version: '1.0', ok: true }]);
    expect(s.loading).toBe(false);
    expect(seen).toHaveBeenCalled();
  });

  it('gives register the API version, the plugin name, the language and the fetch', async () => {
    const reg = new PluginRegistry();
    let got: PluginAPI | undefined;
    const d = deps({ probe: { register: (api: PluginAPI) => { got = api; } } });
    d.language = () => 'zh';
    await reg.load(d);
    expect(got?.version).toBe(1);
    expect(got?.name).toBe('probe');
    expect(got?.language()).toBe('zh');
    expect(got?.fetch).toBe(d.fetch);
    expect(Object.isFrozen(got)).toBe(true);
  });

  it('leaves out a plugin whose register throws, with what it registered before, and loads the others', async () => {
    const reg = new PluginRegistry();
    const thrower = {
      register(api: PluginAPI) {
        api.registerRecordPanel({ id: 'half', title: { en: 'Half', zh: '一半' }, render: () => undefined });
        throw new Error('boom');
      },
    };
    const d = deps({ thrower, good });
    await reg.load(d);
    const s = reg.snapshot();
    expect(s.panels.map((p) => p.plugin)).toEqual(['good']);
    expect(s.plugins).toEqual([
      { name: 'thrower', version: '1.0', ok: false, error: 'boom' },
      { name: 'good', version: '1.0', ok: true },
    ]);
    expect(d.log).toHaveBeenCalledWith(expect.stringContaining('thrower'), expect.any(Error));
  });

  it('survives a module that does not load, one without register, and an async register that rejects', async () => {
    const reg = new PluginRegistry();
    const d = deps({
      missing: new Error('Failed to fetch dynamically imported module'),
      empty: { hello: 1 },
      late: { register: async () => { await Promise.resolve(); throw new Error('later'); } },
      good,
    });
    await reg.load(d);
    const s = reg.snapshot();
    expect(s.plugins.map((p) => [p.name, p.ok, p.error])).toEqual([
      ['missing', false, 'Failed to fetch dynamically imported module'],
      ['empty', false, 'the module exports no register(api) function'],
      ['late', false, 'later'],
      ['good', true, undefined],
    ]);
    expect(s.commands).toHaveLength(1);
  });

  it('refuses incomplete registrations (the plugin is left out, with the reason)', async () => {
    const cases: [string, (api: PluginAPI) => void, string][] = [
      ['no-zh', (api) => api.registerRecordPanel({ id: 'p', title: { en: 'P' } as never, render: () => undefined }), 'title needs en and zh'],
      ['no-id', (api) => api.registerCommand({ id: '', label: { en: 'C', zh: 'C' }, run: () => undefined }), 'id is required'],
      ['no-target', (api) => api.registerFieldRenderer({ render: () => undefined }), 'give an attribute or a type'],
      ['twice', (api) => {
        api.registerCommand({ id: 'c', label: { en: 'C', zh: '命' }, run: () => undefined });
        api.registerCommand({ id: 'c', label: { en: 'C', zh: '命' }, run: () => undefined });
      }, 'registered twice'],
      ['bad-entities', (api) => api.registerRecordPanel({ id: 'p', title: { en: 'P', zh: 'P' }, entities: 'account' as never, render: () => undefined }), 'entities must be a list'],
    ];
    for (const [name, register, why] of cases) {
      const reg = new PluginRegistry();
      await reg.load(deps({ [name]: { register } }));
      const s = reg.snapshot();
      expect(s.plugins[0]?.ok, name).toBe(false);
      expect(s.plugins[0]?.error, name).toContain(why);
      expect(s.panels.length + s.commands.length + s.renderers.length, name).toBe(0);
    }
  });

  it('refuses registrations after register finished', async () => {
    const reg = new PluginRegistry();
    let saved: PluginAPI | undefined;
    await reg.load(deps({ keeper: { register: (api: PluginAPI) => { saved = api; } } }));
    expect(() => saved!.registerCommand({ id: 'x', label: { en: 'X', zh: 'X' }, run: () => undefined })).toThrow(/after register/);
    expect(reg.snapshot().commands).toHaveLength(0);
  });

  it('survives a list that cannot be read, and loads once', async () => {
    const reg = new PluginRegistry();
    const log = vi.fn();
    const d = deps({}, log);
    d.list = vi.fn(async () => { throw new Error('401'); });
    await reg.ensureLoaded(d);
    await reg.ensureLoaded(d);
    expect(d.list).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledOnce();
    expect(reg.snapshot()).toMatchObject({ loading: false, plugins: [] });
  });
});

describe('matching', () => {
  it('picks the most specific field renderer, the first among equals', async () => {
    const reg = new PluginRegistry();
    const r = (tag: string, o: object) => ({ ...o, render: () => undefined, tag });
    await reg.load(deps({
      a: { register: (api: PluginAPI) => {
        api.registerFieldRenderer(r('money', { type: 'money' }));
        api.registerFieldRenderer(r('account-money', { entity: 'account', type: 'money' }));
        api.registerFieldRenderer(r('revenue', { attribute: 'revenue' }));
      } },
      b: { register: (api: PluginAPI) => {
        api.registerFieldRenderer(r('account-revenue', { entity: 'account', attribute: 'revenue' }));
        api.registerFieldRenderer(r('money-2', { type: 'money' }));
      } },
    }));
    const s = reg.snapshot();
    const tag = (entity: string, name: string, type: string) => (rendererFor(s, entity, { name, type }) as { tag?: string } | undefined)?.tag;
    expect(tag('account', 'revenue', 'money')).toBe('account-revenue');
    expect(tag('lead', 'revenue', 'money')).toBe('revenue');
    expect(tag('account', 'credit', 'money')).toBe('account-money');
    expect(tag('opportunity', 'amount', 'money')).toBe('money');
    expect(tag('opportunity', 'name', 'string')).toBeUndefined();
  });

  it('gives panels and commands to the entities they name, list commands to lists', async () => {
    const reg = new PluginRegistry();
    await reg.load(deps({
      p: { register: (api: PluginAPI) => {
        api.registerRecordPanel({ id: 'any', title: { en: 'Any', zh: '任意' }, render: () => undefined });
        api.registerRecordPanel({ id: 'acc', title: { en: 'Acc', zh: '客户' }, entities: ['account'], render: () => undefined });
        api.registerCommand({ id: 'rec', label: { en: 'R', zh: 'R' }, entities: ['account'], run: () => undefined });
        api.registerCommand({ id: 'both', label: { en: 'B', zh: 'B' }, list: true, run: () => undefined });
      } },
    }));
    const s = reg.snapshot();
    expect(panelsFor(s, 'account').map((p) => p.id)).toEqual(['any', 'acc']);
    expect(panelsFor(s, 'contact').map((p) => p.id)).toEqual(['any']);
    expect(commandsFor(s, 'account', 'record').map((c) => c.id)).toEqual(['rec', 'both']);
    expect(commandsFor(s, 'account', 'list').map((c) => c.id)).toEqual(['both']);
    expect(commandsFor(s, 'contact', 'record').map((c) => c.id)).toEqual(['both']);
  });

  it('picks the language of a bilingual text', () => {
    expect(pick({ en: 'Health', zh: '健康' }, 'zh')).toBe('健康');
    expect(pick({ en: 'Health', zh: '健康' }, 'en')).toBe('Health');
    expect(pick({ en: 'Health', zh: '' }, 'zh')).toBe('Health');
  });
});
