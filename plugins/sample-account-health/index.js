// @ts-check
// Meridian's sample plugin (docs/plugins.md): a plain ES module, no build step. It registers
//  - a field renderer: an account's revenue as a bar (log scale) with a size badge;
//  - a record panel "Account health": open cases, activities in the last 90 days and the latest
//    one, read through the API with the user's session, and a verdict;
//  - a command "Log a call": creates a completed outbound phone call regarding the record.
// Types: web/src/plugins/meridian-plugin.d.ts (checked by editors through the JSDoc below).

/** @typedef {import('../../web/src/plugins/meridian-plugin').PluginAPI} PluginAPI */
/** @typedef {import('../../web/src/plugins/meridian-plugin').Bilingual} Bilingual */

/** Size tiers by yearly revenue (in the record's currency). */
const TIERS = [
  { min: 1e8, label: { en: 'Strategic', zh: '战略客户' } },
  { min: 1e7, label: { en: 'Large', zh: '大型' } },
  { min: 1e6, label: { en: 'Mid-size', zh: '中型' } },
  { min: 0, label: { en: 'Small', zh: '小型' } },
];

/**
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} [children]
 */
function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** @param {HTMLElement} e @param {Partial<CSSStyleDeclaration>} s */
function style(e, s) {
  Object.assign(e.style, s);
  return e;
}

/** @param {PluginAPI} api */
export function register(api) {
  api.registerFieldRenderer({
    entity: 'account',
    attribute: 'revenue',
    render(container, ctx) {
      const n = Number(ctx.value);
      if (ctx.value === null || ctx.value === '' || !Number.isFinite(n)) {
        container.textContent = ctx.formatted;
        return;
      }
      const tier = TIERS.find((t) => n >= t.min) ?? TIERS[TIERS.length - 1];
      // log10: 1 → 0 %, 1,000,000,000 → 100 %.
      const pct = Math.max(2, Math.min(100, (Math.log10(Math.max(n, 1)) / 9) * 100));
      const bar = style(el('span', { 'aria-hidden': 'true', class: 'sample-revenue-bar' }), {
        display: 'inline-block', width: '4.5rem', height: '0.5rem', borderRadius: '4px',
        background: '#e3e8ef', verticalAlign: 'middle', overflow: 'hidden', marginInline: '0.4rem',
      });
      bar.append(style(el('span'), { display: 'block', height: '100%', width: `${pct.toFixed(0)}%`, background: '#1f6feb' }));
      const badge = style(el('span', { class: 'sample-revenue-badge' }, [ctx.text(tier.label)]), {
        fontSize: '0.75rem', padding: '0 0.4rem', borderRadius: '999px', background: '#dbe9ff', color: '#0a3069', whiteSpace: 'nowrap',
      });
      const wrap = style(el('span', { class: 'sample-revenue', 'data-tier': tier.label.en.toLowerCase() }, [ctx.formatted, bar, badge]), {
        display: 'inline-flex', alignItems: 'center', flexWrap: 'wrap', gap: '0.1rem',
        marginTop: ctx.place === 'record' ? '0.3rem' : '0',
      });
      container.replaceChildren(wrap);
    },
  });

  api.registerRecordPanel({
    id: 'account-health',
    title: { en: 'Account health', zh: '客户健康度' },
    entities: ['account'],
    async render(container, ctx) {
      const abort = new AbortController();
      container.replaceChildren(el('p', { class: 'muted' }, [ctx.text({ en: 'Loading…', zh: '正在加载…' })]));
      const since = new Date(Date.now() - 90 * 24 * 3600 * 1000).toISOString();
      const q = (/** @type {string} */ path) => ctx.fetch(path, { signal: abort.signal });
      const [cases, recent, latest] = await Promise.all([
        q(`cases?$filter=${encodeURIComponent(`account_id eq ${ctx.id} and (status eq null or status in ('new','in_progress','waiting'))`)}&$count=true&$top=0`),
        q(`activities?$filter=${encodeURIComponent(`regarding_id eq ${ctx.id} and created_at ge ${since}`)}&$count=true&$top=0`),
        q(`activities?$filter=${encodeURIComponent(`regarding_id eq ${ctx.id}`)}&$orderby=${encodeURIComponent('created_at desc')}&$top=1&$select=subject,created_at`),
      ]);
      if (abort.signal.aborted) return;
      const open = Number(/** @type {any} */ (cases.data)['@odata.count'] ?? 0);
      const active = Number(/** @type {any} */ (recent.data)['@odata.count'] ?? 0);
      const last = /** @type {any} */ (latest.data).value?.[0];
      /** @type {Bilingual} */
      let verdict = { en: 'Healthy', zh: '健康' };
      let color = '#1a7f37';
      if (open > 2 || (open > 0 && active === 0)) {
        verdict = { en: 'At risk', zh: '有风险' };
        color = '#a40e26';
      } else if (open > 0 || active === 0) {
        verdict = { en: 'Needs attention', zh: '需关注' };
        color = '#7d4e00';
      }
      const lang = ctx.language === 'zh' ? 'zh-CN' : 'en-US';
      const when = last?.created_at ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(last.created_at)) : '';
      const row = (/** @type {Bilingual} */ term, /** @type {string} */ value) => [el('dt', {}, [ctx.text(term)]), el('dd', {}, [value])];
      const dl = style(el('dl', { class: 'sample-health' }, [
        ...row({ en: 'Open cases', zh: '未结案例' }, String(open)),
        ...row({ en: 'Activities, last 90 days', zh: '近 90 天活动' }, String(active)),
        ...row({ en: 'Latest activity', zh: '最近活动' }, last ? `${last.subject ?? ''} · ${when}` : ctx.text({ en: 'none', zh: '无' })),
      ]), { display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '0.2rem 0.8rem', margin: '0.4rem 0 0' });
      const status = style(el('p', { class: 'sample-health-verdict' }, [ctx.text(verdict)]), { margin: '0', fontWeight: '600', color });
      container.replaceChildren(status, dl);
      return () => abort.abort();
    },
  });

  api.registerCommand({
    id: 'log-call',
    label: { en: 'Log a call', zh: '记录通话' },
    entities: ['account', 'contact'],
    async run(ctx) {
      if (!ctx.id || !ctx.record) return;
      const name = String(ctx.record.name ?? ctx.record.full_name ?? '');
      await ctx.fetch('phone_calls', {
        method: 'POST',
        body: {
          subject: ctx.text({ en: `Call with ${name}`, zh: `与${name}通话` }),
          regarding_id: ctx.id,
          regarding_type: ctx.entity,
          status: 'completed',
          direction: 'outbound',
        },
      });
      await ctx.refresh();
      return { en: 'Call logged', zh: '已记录通话' };
    },
  });
}
