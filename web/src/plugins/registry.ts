// The plugin registry: loads the server's plugins (GET /api/v1/plugins, then import() of each
// entry module), calls their register(api) and keeps what they registered. A plugin that fails to
// load or to register is left out whole (its partial registrations discarded) and logged; the
// others and the page go on. docs/plugins.md describes the interface (meridian-plugin.d.ts).
import type {
  ApiFetch,
  Bilingual,
  Command,
  FieldRenderer,
  Language,
  PluginAPI,
  RecordPanel,
} from './meridian-plugin';
import type { PluginInfo } from '../api/types';

/** A plugin as GET /api/v1/plugins lists it. */
export type { PluginInfo };

/** A registration with the plugin it came from. */
export type Owned<T> = T & { plugin: string };

export interface PluginStatus {
  name: string;
  version: string;
  ok: boolean;
  error?: string;
}

/** What the registry holds; replaced (never mutated) on every change. */
export interface PluginState {
  renderers: readonly Owned<FieldRenderer>[];
  panels: readonly Owned<RecordPanel>[];
  commands: readonly Owned<Command>[];
  plugins: readonly PluginStatus[];
  loading: boolean;
}

export const emptyState: PluginState = { renderers: [], panels: [], commands: [], plugins: [], loading: false };

/** What loading needs from the client: replaced in tests. */
export interface PluginDeps {
  list: () => Promise<PluginInfo[]>;
  importModule: (url: string) => Promise<unknown>;
  language: () => Language;
  fetch: ApiFetch;
  log?: (message: string, error: unknown) => void;
}

/** Picks the language's text of a bilingual label (English when Chinese is empty). */
export function pick(b: Bilingual, lang: string): string {
  return (lang.startsWith('zh') ? b.zh : b.en) || b.en || b.zh || '';
}

/** A short, safe message for anything thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  return String(e);
}

function isBilingual(v: unknown): v is Bilingual {
  const b = v as Bilingual | undefined;
  return !!b && typeof b.en === 'string' && typeof b.zh === 'string' && b.en.trim() !== '';
}

function checkEntities(v: unknown, what: string) {
  if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
    throw new Error(`${what}: entities must be a list of entity names`);
  }
}

export class PluginRegistry {
  private state: PluginState = emptyState;
  private listeners = new Set<() => void>();
  private started: Promise<void> | null = null;

  /** The current state (for useSyncExternalStore). */
  readonly snapshot = (): PluginState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(next: Partial<PluginState>) {
    this.state = { ...this.state, ...next };
    for (const l of this.listeners) l();
  }

  /** Loads the plugins once (later calls return the same promise). */
  ensureLoaded(deps: PluginDeps): Promise<void> {
    this.started ??= this.load(deps);
    return this.started;
  }

  /** Lists the plugins, imports them in parallel and registers them in the listed order. */
  async load(deps: PluginDeps): Promise<void> {
    const log = deps.log ?? ((m, e) => console.error(m, e));
    this.set({ loading: true });
    let list: PluginInfo[];
    try {
      list = await deps.list();
    } catch (e) {
      log('[plugins] could not list the plugins', e);
      this.set({ loading: false });
      return;
    }
    const modules = list.map((p) => deps.importModule(p.entry).then((m) => ({ ok: true as const, m }), (e: unknown) => ({ ok: false as const, e })));
    for (let i = 0; i < list.length; i++) {
      const info = list[i]!;
      const m = await modules[i]!;
      if (!m.ok) {
        log(`[plugins] ${info.name}: the module did not load`, m.e);
        this.set({ plugins: [...this.state.plugins, { name: info.name, version: info.version, ok: false, error: errorMessage(m.e) }] });
        continue;
      }
      await this.register(info, m.m, deps);
    }
    this.set({ loading: false });
  }

  /**
   * Calls the module's register(api). What it registers is kept only when register returns (or
   * its promise resolves) without an error.
   */
  async register(info: PluginInfo, mod: unknown, deps: Pick<PluginDeps, 'language' | 'fetch' | 'log'>): Promise<boolean> {
    const log = deps.log ?? ((m, e) => console.error(m, e));
    const name = info.name;
    const renderers: Owned<FieldRenderer>[] = [];
    const panels: Owned<RecordPanel>[] = [];
    const commands: Owned<Command>[] = [];
    let open = true;
    const guard = (what: string) => {
      if (!open) throw new Error(`${name}: ${what} after register() finished`);
    };
    const api: PluginAPI = {
      version: 1,
      name,
      registerFieldRenderer(r) {
        guard('registerFieldRenderer');
        if (!r || typeof r.render !== 'function') throw new Error('registerFieldRenderer: render must be a function');
        if (!r.attribute && !r.type) throw new Error('registerFieldRenderer: give an attribute or a type');
        renderers.push({ ...r, plugin: name });
      },
      registerRecordPanel(p) {
        guard('registerRecordPanel');
        if (!p || typeof p.id !== 'string' || !p.id) throw new Error('registerRecordPanel: id is required');
        if (!isBilingual(p.title)) throw new Error(`registerRecordPanel ${p.id}: title needs en and zh`);
        if (typeof p.render !== 'function') throw new Error(`registerRecordPanel ${p.id}: render must be a function`);
        checkEntities(p.entities, `registerRecordPanel ${p.id}`);
        if (panels.some((x) => x.id === p.id)) throw new Error(`registerRecordPanel: ${p.id} is registered twice`);
        panels.push({ ...p, plugin: name });
      },
      registerCommand(c) {
        guard('registerCommand');
        if (!c || typeof c.id !== 'string' || !c.id) throw new Error('registerCommand: id is required');
        if (!isBilingual(c.label)) throw new Error(`registerCommand ${c.id}: label needs en and zh`);
        if (typeof c.run !== 'function') throw new Error(`registerCommand ${c.id}: run must be a function`);
        checkEntities(c.entities, `registerCommand ${c.id}`);
        if (commands.some((x) => x.id === c.id)) throw new Error(`registerCommand: ${c.id} is registered twice`);
        commands.push({ ...c, plugin: name });
      },
      language: deps.language,
      fetch: deps.fetch,
    };
    Object.freeze(api);
    try {
      const reg = (mod as { register?: unknown } | null)?.register;
      if (typeof reg !== 'function') throw new Error('the module exports no register(api) function');
      await (reg as (api: PluginAPI) => unknown)(api);
    } catch (e) {
      open = false;
      log(`[plugins] ${name}: register failed; the plugin is not used`, e);
      this.set({ plugins: [...this.state.plugins, { name, version: info.version, ok: false, error: errorMessage(e) }] });
      return false;
    }
    open = false;
    this.set({
      renderers: [...this.state.renderers, ...renderers],
      panels: [...this.state.panels, ...panels],
      commands: [...this.state.commands, ...commands],
      plugins: [...this.state.plugins, { name, version: info.version, ok: true }],
    });
    return true;
  }
}

function forEntity(entities: string[] | undefined, entity: string): boolean {
  return !entities || entities.includes(entity);
}

/**
 * The renderer for an attribute of an entity: the most specific match wins (entity and
 * attribute, then attribute, then entity and type, then type); among equals the first registered.
 */
export function rendererFor(s: PluginState, entity: string, attr: { name: string; type: string }): Owned<FieldRenderer> | undefined {
  let best: Owned<FieldRenderer> | undefined;
  let bestScore = -1;
  for (const r of s.renderers) {
    if ((r.entity && r.entity !== entity) || (r.attribute && r.attribute !== attr.name) || (r.type && r.type !== attr.type)) continue;
    const score = (r.attribute ? 4 : 0) + (r.entity ? 2 : 0) + (r.type ? 1 : 0);
    if (score > bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/** The panels for a record page of entity. */
export function panelsFor(s: PluginState, entity: string): Owned<RecordPanel>[] {
  return s.panels.filter((p) => forEntity(p.entities, entity));
}

/** The commands for a record page (or, with place 'list', a list page) of entity. */
export function commandsFor(s: PluginState, entity: string, place: 'record' | 'list'): Owned<Command>[] {
  return s.commands.filter((c) => forEntity(c.entities, entity) && (place === 'record' || c.list === true));
}
