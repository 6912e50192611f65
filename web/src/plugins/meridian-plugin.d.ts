// The plugin interface of Meridian's web client, version 1 (docs/plugins.md).
//
// A plugin is an ES module that exports `register(api)`. The client imports it after sign-in and
// calls `register` once, with the object described here. Plugins render into a plain DOM element
// they are given, so they need no React and no build step; a render function may return a
// cleanup function, called before the element is rendered again or removed.
//
// Plugins written in TypeScript, or JavaScript with `// @ts-check`, can use these types:
//   /** @param {import('./meridian-plugin').PluginAPI} api */
//   export function register(api) { … }
// This file is the contract: what it declares stays compatible within API version 1.

/** Text in both of the client's languages. */
export interface Bilingual {
  en: string;
  zh: string;
}

/** The client's languages. */
export type Language = 'en' | 'zh';

/** What a render function may return: nothing, or a function that undoes the rendering. */
export type Cleanup = void | (() => void);

/** An attribute as the metadata API describes it (the fields plugins most often need). */
export interface AttributeInfo {
  name: string;
  type: string;
  display_name?: Partial<Bilingual>;
  target?: string;
  [key: string]: unknown;
}

/** A record as the API returns it: attribute name → value (money has `<name>_currency`). */
export type RecordData = Record<string, unknown>;

/** The answer of `api.fetch`. */
export interface FetchResult<T = unknown> {
  status: number;
  data: T;
  etag: string | null;
}

/** Options of `api.fetch`; the body is sent as JSON. */
export interface FetchOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * An authenticated request to Meridian's API with the signed-in user's session (cookie and CSRF
 * token handled). `path` is relative to /api/v1 (`accounts?$top=5`) or absolute (`/api/v1/…`).
 * An error answer rejects with an Error carrying `status` and `code` (the API's error code).
 */
export type ApiFetch = <T = unknown>(path: string, options?: FetchOptions) => Promise<FetchResult<T>>;

/** What every context carries. */
export interface BaseContext {
  /** The current language; render functions run again when it changes. */
  language: Language;
  /** Picks the current language's text. */
  text(b: Bilingual): string;
  fetch: ApiFetch;
}

/** Where a field is shown. */
export type FieldPlace = 'list' | 'record';

export interface FieldContext extends BaseContext {
  /** The entity's name (`account`). */
  entity: string;
  attribute: AttributeInfo;
  /** The attribute's value in the saved record (null when empty). */
  value: unknown;
  /** The whole record as loaded (a list loads only its columns). */
  record: RecordData;
  /** The value as the client would show it (`¥1,250,000.00`): include it, for screen readers. */
  formatted: string;
  place: FieldPlace;
}

/**
 * Draws an attribute's value in lists and under the field on the record page. The most specific
 * renderer wins: entity and attribute, then attribute, then type (at least one of attribute and
 * type is required).
 */
export interface FieldRenderer {
  entity?: string;
  attribute?: string;
  type?: string;
  render(container: HTMLElement, ctx: FieldContext): Cleanup;
}

export interface RecordContext extends BaseContext {
  entity: string;
  /** The entity set in URLs (`accounts`). */
  set: string;
  id: string;
  record: RecordData;
  /** Reloads what the record page shows (the record, related lists, timeline, history). */
  refresh(): Promise<void>;
}

/** A panel on the record page of saved records, with a heading of its own. */
export interface RecordPanel {
  /** Unique among the plugin's panels. */
  id: string;
  title: Bilingual;
  /** Entity names; absent: every entity. */
  entities?: string[];
  /** May be async; an error (thrown or rejected) is shown in the panel. */
  render(container: HTMLElement, ctx: RecordContext): Cleanup | Promise<Cleanup>;
}

export interface CommandContext extends BaseContext {
  entity: string;
  set: string;
  /** On a record page: the record. On a list page: absent. */
  id?: string;
  record?: RecordData;
  /** The page's address, for links. */
  url: string;
  /** Reloads what the page shows. */
  refresh(): Promise<void>;
}

/** A command in the record page's (and, with `list: true`, the list page's) command menu. */
export interface Command {
  /** Unique among the plugin's commands. */
  id: string;
  label: Bilingual;
  /** Entity names; absent: every entity. */
  entities?: string[];
  /** Also on list pages (without a record). */
  list?: boolean;
  /**
   * Runs when chosen. A returned text is announced as the command's result; an error (thrown
   * or rejected) is shown as its failure.
   */
  run(ctx: CommandContext): void | string | Bilingual | Promise<void | string | Bilingual>;
}

/** The object `register` receives. */
export interface PluginAPI {
  /** The interface's version: 1. */
  readonly version: 1;
  /** The plugin's name, from its manifest. */
  readonly name: string;
  registerFieldRenderer(renderer: FieldRenderer): void;
  registerRecordPanel(panel: RecordPanel): void;
  registerCommand(command: Command): void;
  /** The current language (it may change later: contexts carry the language of each call). */
  language(): Language;
  fetch: ApiFetch;
}

/** What a plugin module exports. */
export interface PluginModule {
  register(api: PluginAPI): void | Promise<void>;
}
