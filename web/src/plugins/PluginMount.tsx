// Mounts a plugin's render(container, ctx) in an element React does not otherwise touch, runs it
// again when `revision` changes, calls the cleanup it returns, and keeps whatever it throws (at
// once or in a rejected promise) inside: the page goes on and `onError` decides what to show.
import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { Cleanup } from './meridian-plugin';
import { errorMessage } from './registry';

export interface PluginMountProps {
  plugin: string;
  /** Renders into the element. */
  render: (container: HTMLElement) => Cleanup | Promise<Cleanup>;
  /** Rendering runs again when this changes (the value, the record's version, the language). */
  revision: string;
  /** What to show instead when rendering failed. */
  fallback: (message: string) => ReactNode;
  className?: string;
  as?: 'div' | 'span';
}

function safely(plugin: string, f: () => void) {
  try {
    f();
  } catch (e) {
    console.error(`[plugins] ${plugin}: cleanup failed`, e);
  }
}

export function PluginMount({ plugin, render, revision, fallback, className, as = 'div' }: PluginMountProps) {
  const ref = useRef<HTMLElement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const renderRef = useRef(render);
  renderRef.current = render;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let live = true;
    let cleanup: (() => void) | undefined;
    setError(null);
    const fail = (e: unknown) => {
      if (!live) return;
      console.error(`[plugins] ${plugin}: render failed`, e);
      el.replaceChildren();
      setError(errorMessage(e));
    };
    try {
      const out = renderRef.current(el);
      if (out && typeof (out as Promise<Cleanup>).then === 'function') {
        (out as Promise<Cleanup>).then((c) => {
          if (typeof c !== 'function') return;
          if (live) cleanup = c;
          else safely(plugin, c);
        }, fail);
      } else if (typeof out === 'function') {
        cleanup = out;
      }
    } catch (e) {
      fail(e);
    }
    return () => {
      live = false;
      if (cleanup) safely(plugin, cleanup);
      el.replaceChildren();
    };
  }, [plugin, revision]);

  const Tag = as;
  return (
    <>
      {error !== null && fallback(error)}
      <Tag ref={(n: HTMLElement | null) => { ref.current = n; }} className={className} hidden={error !== null || undefined} data-plugin={plugin} />
    </>
  );
}
