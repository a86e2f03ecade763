import { afterEach, describe, expect, it } from 'vitest';
import { setLang } from '../i18n';
import { AREA_TYPES, areaRule, isPrivateArea, toE6, todayIstanbul, trimArgs } from './survey';

afterEach(() => setLang('tr'));

describe('the private-area rule (directive 7(4))', () => {
  it('forbids exactly office, work room, toilet and the corridors opening onto them', () => {
    // given / when
    const forbidden = AREA_TYPES.filter((a) => areaRule(a)?.kind === 'forbidden');
    // then
    expect(forbidden).toEqual(['OFFICE', 'WORK_ROOM', 'TOILET', 'CORRIDOR_TO_PRIVATE']);
    expect(forbidden.every(isPrivateArea)).toBe(true);
    expect(isPrivateArea('CASHIER')).toBe(false);
    expect(isPrivateArea(null)).toBe(false);
  });

  it('names the rule in Turkish, with the area and the cashier exception', () => {
    // when
    const rule = areaRule('TOILET')!;
    // then
    expect(rule.message).toContain('Yönerge md. 7(4)');
    expect(rule.message).toContain('özel alanlara kamera konulamaz');
    expect(rule.message).toContain('Tuvalet/lavabo');
    expect(rule.message).toContain('vezne hariç');
  });

  it('says why a cashier point is allowed, and says nothing for ordinary areas', () => {
    expect(areaRule('CASHIER')).toMatchObject({ kind: 'exception' });
    expect(areaRule('CASHIER')!.message).toContain('istisna');
    expect(areaRule('ENTRANCE')).toBeNull();
    expect(areaRule('')).toBeNull();
  });

  it('speaks English when asked', () => {
    setLang('en');
    expect(areaRule('OFFICE')!.message).toContain('Directive art. 7(4)');
  });
});

describe('helpers', () => {
  it('trims top-level strings and strings in arrays, and nothing else', () => {
    expect(trimArgs({ a: ' x ', b: 2, c: [' y', 3], d: null, e: { f: ' z ' } })).toEqual({ a: 'x', b: 2, c: ['y', 3], d: null, e: { f: ' z ' } });
  });

  it('turns degrees into micro-degrees and knows the Istanbul date', () => {
    expect(toE6(38.4234567)).toBe(38423457);
    expect(toE6(-1.2345674)).toBe(-1234567);
    expect(todayIstanbul(new Date('2026-11-21T22:30:00Z'))).toBe('2026-11-22');
  });
});
