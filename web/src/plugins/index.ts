// The client's plugin registry and its React hooks. AppShell starts loading after sign-in; pages
// read what plugins registered with usePlugins() and re-render when more arrive.
import { useSyncExternalStore } from 'react';
import i18n from 'i18next';
import { api } from '../api/client';
import type { ApiFetch, Language } from './meridian-plugin';
import { PluginRegistry } from './registry';
import type { PluginState } from './registry';
import type { PluginInfo } from '../api/types';

/** The registry of this page (one per browser tab). */
export const plugins = new PluginRegistry();

export function currentLanguage(): Language {
  return i18n.language?.startsWith('zh') ? 'zh' : 'en';
}

/** The authenticated fetch plugins get: the client's own, with the session and CSRF token. */
export const pluginFetch: ApiFetch = (path, options = {}) => api(path, options);

/** Loads the server's plugins once (call after sign-in). */
export function loadPlugins(): Promise<void> {
  return plugins.ensureLoaded({
    list: async () => (await api<{ value: PluginInfo[] }>('plugins')).data.value,
    // The URL comes from the server at run time: Vite must leave this import alone.
    importModule: (url) => import(/* @vite-ignore */ url),
    language: currentLanguage,
    fetch: pluginFetch,
  });
}

/** What plugins registered so far. */
export function usePlugins(): PluginState {
  return useSyncExternalStore(plugins.subscribe, plugins.snapshot, plugins.snapshot);
}
