import { describe, expect, it } from 'vitest';
import en from './en';
import zh from './zh';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('translations', () => {
  it('has every English string in Simplified Chinese, translated', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
    const flat = (o: object): string[] => Object.values(o).flatMap((v) => (typeof v === 'object' ? flat(v as object) : [v as string]));
    const untranslated = flat(zh).filter((s, i) => s === flat(en)[i] && /[a-z]{3}/i.test(s.replace(/\{\{\w+\}\}/g, '')));
    expect(untranslated).toEqual([]);
  });
});
