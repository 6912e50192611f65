import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { acceptLanguage, api } from './client';

describe('acceptLanguage', () => {
  it('asks for simplified Chinese in 中文 and English otherwise', () => {
    expect(acceptLanguage('zh')).toBe('zh-CN,zh;q=0.9');
    expect(acceptLanguage('zh-CN')).toBe('zh-CN,zh;q=0.9');
    expect(acceptLanguage('en')).toBe('en-US,en;q=0.9');
    expect(acceptLanguage(undefined)).toBe('en-US,en;q=0.9');
  });
});

describe('api', () => {
  afterEach(async () => {
    vi.unstubAllGlobals();
    await i18n.changeLanguage('en');
  });

  it('sends the Accept-Language of the chosen UI language', async () => {
    const seen: string[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      seen.push((init.headers as Record<string, string>)['Accept-Language'] ?? '');
      return Promise.resolve(new Response('{"value":[]}', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    });
    await i18n.changeLanguage('zh');
    await api('accounts?$orderby=name');
    await i18n.changeLanguage('en');
    await api('accounts?$orderby=name');
    expect(seen).toEqual(['zh-CN,zh;q=0.9', 'en-US,en;q=0.9']);
  });
});
