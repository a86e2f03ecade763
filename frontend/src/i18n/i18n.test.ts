import { afterEach, describe, expect, it } from 'vitest';
import { en } from './en';
import { tr } from './tr';
import { LANG_STORAGE_KEY, enumLabel, formatDate, formatDateTime, getLang, initLang, setLang, t } from './index';

afterEach(() => {
  localStorage.clear();
  initLang();
});

describe('i18n', () => {
  it('has the same, non-empty keys in both languages', () => {
    // given / when
    const trKeys = Object.keys(tr).sort();
    const enKeys = Object.keys(en).sort();
    // then
    expect(enKeys).toEqual(trKeys);
    for (const k of trKeys) {
      expect((tr as Record<string, string>)[k].length, k).toBeGreaterThan(0);
      expect((en as Record<string, string>)[k].length, k).toBeGreaterThan(0);
    }
  });

  it('defaults to Turkish', () => {
    // given
    localStorage.clear();
    // when
    const lang = initLang();
    // then
    expect(lang).toBe('tr');
    expect(t('nav.myWork')).toBe('İşlerim');
    expect(t('action.SUBMIT')).toBe('Onaya gönder');
  });

  it('switches to English, persists the choice and sets <html lang>', () => {
    // given
    initLang();
    // when
    setLang('en');
    // then
    expect(t('nav.myWork')).toBe('My work');
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('en');
    expect(document.documentElement.lang).toBe('en');
    expect(initLang()).toBe('en');
    expect(getLang()).toBe('en');
  });

  it('interpolates parameters and labels enums', () => {
    // given
    setLang('tr');
    // when / then
    expect(t('sites.deviceCount', { n: 4 })).toBe('4 cihaz');
    expect(enumLabel('status', 'SUBMITTED')).toBe('Onay bekliyor');
    expect(enumLabel('status', 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });

  it('shows instants in Europe/Istanbul time', () => {
    // given: 08:15 UTC is 11:15 in Istanbul (UTC+3, no DST)
    setLang('tr');
    // when
    const s = formatDateTime('2026-11-22T08:15:00+00:00');
    // then
    expect(s).toContain('11:15');
    expect(s).toContain('22.11.2026');
  });

  it('crosses midnight into the next Istanbul day', () => {
    // given: 22:30 UTC on the 21st is 01:30 on the 22nd in Istanbul
    // when
    const s = formatDateTime('2026-11-21T22:30:00Z');
    // then
    expect(s).toContain('22.11.2026');
    expect(s).toContain('01:30');
  });

  it('formats calendar dates without shifting the day', () => {
    expect(formatDate('2026-12-01')).toBe('01.12.2026');
    expect(formatDate(null)).toBe('—');
  });
});
