// The plugins' commands of a page, behind a "Commands" button (a disclosure: the list of commands
// opens below it; Escape closes it and returns the focus). A command's result or error is
// announced next to the button.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Bilingual, RecordData } from './meridian-plugin';
import { currentLanguage, pluginFetch, usePlugins } from './index';
import { commandsFor, errorMessage, pick } from './registry';
import type { Owned } from './registry';
import type { Command } from './meridian-plugin';

export interface CommandMenuProps {
  entity: string;
  set: string;
  id?: string;
  record?: RecordData;
  refresh: () => Promise<void>;
}

type Outcome = { kind: 'ok' | 'error'; text: string } | null;

export function CommandMenu({ entity, set, id, record, refresh }: CommandMenuProps) {
  const { t, i18n } = useTranslation();
  const commands = commandsFor(usePlugins(), entity, id ? 'record' : 'list');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const menuId = useId();

  useEffect(() => {
    if (open) list.current?.querySelector('button')?.focus();
  }, [open]);

  if (commands.length === 0) return null;
  const lang = i18n.language;

  const run = async (c: Owned<Command>) => {
    setOpen(false);
    setBusy(c.id);
    setOutcome(null);
    button.current?.focus();
    try {
      const out = await c.run({
        entity,
        set,
        id,
        record,
        url: window.location.href,
        refresh,
        language: currentLanguage(),
        text: (b) => pick(b, currentLanguage()),
        fetch: pluginFetch,
      });
      const text = typeof out === 'string' ? out : out && typeof out === 'object' ? pick(out as Bilingual, currentLanguage()) : t('plugins.commandDone', { command: pick(c.label, lang) });
      setOutcome({ kind: 'ok', text });
    } catch (e) {
      console.error(`[plugins] ${c.plugin}: command ${c.id} failed`, e);
      setOutcome({ kind: 'error', text: t('plugins.commandFailed', { command: pick(c.label, lang), message: errorMessage(e) }) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="command-menu" onKeyDown={(e) => {
      if (e.key === 'Escape' && open) {
        setOpen(false);
        button.current?.focus();
      }
    }}>
      <button
        ref={button}
        type="button"
        className="secondary"
        aria-expanded={open}
        aria-controls={menuId}
        disabled={busy !== null}
        onClick={() => setOpen((o) => !o)}
      >
        {busy ? t('common.working') : t('plugins.commands')}
      </button>
      <ul id={menuId} ref={list} className="command-list" hidden={!open} aria-label={t('plugins.commands')}>
        {commands.map((c) => (
          <li key={`${c.plugin}:${c.id}`}>
            <button type="button" className="secondary" onClick={() => void run(c)}>{pick(c.label, lang)}</button>
          </li>
        ))}
      </ul>
      <span className="status" role="status">{outcome?.kind === 'ok' ? outcome.text : ''}</span>
      {outcome?.kind === 'error' && <p className="form-error" role="alert">{outcome.text}</p>}
    </div>
  );
}
