import { describe, expect, it } from 'vitest';
import { entitiesOf, hitPath, isEditable, moveActive, resultsPath, searchPath, searchable } from './search';

describe('search paths', () => {
  it('encodes the text, the size and the entity sets', () => {
    expect(searchPath(' 上海 acme ', { top: 6 })).toBe('search?q=%E4%B8%8A%E6%B5%B7%20acme&top=6');
    expect(searchPath('a&b', { entities: ['accounts', 'contacts'] })).toBe('search?q=a%26b&entities=accounts%2Ccontacts');
    expect(resultsPath('R&D ')).toBe('/search?q=R%26D');
    expect(hitPath({ set: 'accounts', id: '0193-ab' })).toBe('/accounts/0193-ab');
    expect(searchable('  ')).toBe(false);
    expect(searchable(' x')).toBe(true);
  });
});

describe('moveActive', () => {
  it('walks the list and wraps through the text box (-1)', () => {
    expect(moveActive(-1, 1, 3)).toBe(0);
    expect(moveActive(1, 1, 3)).toBe(2);
    expect(moveActive(2, 1, 3)).toBe(-1);
    expect(moveActive(-1, -1, 3)).toBe(2);
    expect(moveActive(0, -1, 3)).toBe(-1);
    expect(moveActive(0, 1, 0)).toBe(-1);
  });
});

describe('isEditable', () => {
  it('keeps "/" as text in text fields only', () => {
    const input = document.createElement('input');
    const box = document.createElement('input');
    box.type = 'checkbox';
    const div = document.createElement('div');
    const editable = document.createElement('div');
    editable.setAttribute('contenteditable', 'true');
    expect(isEditable(input)).toBe(true);
    expect(isEditable(document.createElement('textarea'))).toBe(true);
    expect(isEditable(box)).toBe(false);
    expect(isEditable(div)).toBe(false);
    expect(isEditable(editable)).toBe(true);
    expect(isEditable(null)).toBe(false);
  });
});

describe('entitiesOf', () => {
  it('lists entities by their best hit', () => {
    const h = (entity: string) => ({ entity, set: `${entity}s`, id: entity, title: entity, score: 1 });
    expect(entitiesOf([h('contact'), h('account'), h('contact')])).toEqual(['contact', 'account']);
  });
});
