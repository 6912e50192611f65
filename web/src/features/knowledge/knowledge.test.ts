import { describe, expect, it } from 'vitest';
import i18n from '../../i18n';
import { reasonText } from './knowledge';

describe('knowledge suggestions', () => {
  it('says why an article is suggested, in the user language', async () => {
    await i18n.changeLanguage('en');
    const t = i18n.t.bind(i18n);
    expect(reasonText({ reasons: ['matches_text', 'solved_similar_cases'], solved_cases: 2 }, t)).toBe('solved 2 similar cases · matches the case text');
    expect(reasonText({ reasons: ['solved_similar_cases'], solved_cases: 1 }, t)).toBe('solved 1 similar case');
    expect(reasonText({ reasons: ['matches_text'], solved_cases: 0 }, t)).toBe('matches the case text');
    await i18n.changeLanguage('zh');
    expect(reasonText({ reasons: ['solved_similar_cases'], solved_cases: 3 }, i18n.t.bind(i18n))).toBe('已解决 3 个类似案例');
    await i18n.changeLanguage('en');
  });
});
