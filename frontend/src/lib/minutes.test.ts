import { describe, expect, it } from 'vitest';
import vectors from '../../../tests/fixtures/minutes_vectors.json';
import { emptyState, type State, type SurveyRecord } from '../store/store';
import { buildContent, canonicalJson, contentHash, missingForMinutes, normalizeCode, verificationCode, type Json } from './minutes';

describe('canonical content (tests/fixtures/minutes_vectors.json)', () => {
  for (const [i, v] of vectors.canonical.entries()) {
    it(`reproduces canonical vector ${i}: JSON text, hash and code`, async () => {
      // given: the content as Python had it
      const content = v.content as unknown as Json;
      // when
      const json = canonicalJson(content);
      const hash = await contentHash(content);
      // then
      expect(json).toBe(v.json);
      expect(hash).toBe(v.contentHash);
      expect(verificationCode(hash)).toBe(v.verificationCode);
    });
  }

  it('sorts keys by code point, drops no whitespace, keeps non-ASCII and escapes like Python', () => {
    // given / when / then
    expect(canonicalJson({ b: 1, a: [true, null, 'ş\u001f"\\\n'], Z: {} })).toBe('{"Z":{},"a":[true,null,"ş\\u001f\\"\\\\\\n"],"b":1}');
    expect(() => canonicalJson({ x: 1.5 })).toThrow();
  });
});

describe('verification codes', () => {
  it('normalizes what people type', () => {
    expect(normalizeCode(' yn4g 6dwd-nso6 ')).toBe('YN4G-6DWD-NSO6');
    expect(normalizeCode('YN4G-6DWD-NSO')).toBe('');
    expect(normalizeCode('YN4G-6DWD-NSO1')).toBe(''); // 1 is not base32
  });
});

describe('buildContent from the local store', () => {
  const survey: SurveyRecord = {
    id: 'sv1',
    workOrderId: 'w1',
    siteId: 's1',
    status: 'DRAFT',
    reason: 'Vezne güvenliği',
    requestingUnit: 'Mali Hizmetler',
    unitHeadId: 'u3',
    technicianId: 'u1',
    securityId: 'u2',
    surveyDate: '2026-11-22',
    recordingLocation: 'OWN_CABINET',
    recordingNote: '',
    infrastructureNeeds: 'PoE switch',
    cablingNeeds: '',
    signsNeeded: 1,
    signsNote: 'Girişe',
    conclusion: 'FAVOURABLE',
    conclusionNote: 'Uygundur.',
    correctsMinutesId: null,
    olurReference: null,
    olurDate: null,
    installationWorkOrderId: null,
    createdAt: '2026-11-20T08:00:00+00:00',
    updatedAt: '2026-11-20T08:00:00+00:00',
    version: 3,
  };
  const point = (id: string, position: number, extra: object = {}) => ({
    id,
    surveyId: 'sv1',
    position,
    place: `Yer ${id}`,
    areaType: 'ENTRANCE',
    mounting: 'WALL',
    viewDirection: '',
    photos: [],
    latE6: null,
    lonE6: null,
    accuracyM: 5,
    createdById: 'u1',
    createdAt: '2026-11-20T08:00:00+00:00',
    version: 1,
    ...extra,
  });
  const state = (): State => ({
    ...emptyState(),
    surveys: { sv1: survey },
    workOrders: { w1: { id: 'w1', number: 'IE-2026-000007' } as never },
    sites: {
      s1: { id: 's1', code: 'KSK-001', name: 'Karşıyaka Hizmet Binası', kind: 'SERVICE_BUILDING', district: 'Karşıyaka', address: 'Cemal Gürsel Cd. 1' },
    },
    users: {
      u1: { id: 'u1', username: 'teknisyen', fullName: 'Mehmet Yılmaz', role: 'TECHNICIAN' },
      u2: { id: 'u2', username: 'guvenlik', fullName: 'Hüseyin Çelik', role: 'SECURITY' },
    },
    surveyPoints: {
      pb: point('pb', 2, { areaType: 'CASHIER', mounting: 'CEILING', photos: ['a'.repeat(64)], latE6: 38455432, lonE6: 27112345 }),
      pa: point('pa', 2),
      pc: point('pc', 1),
      other: { ...point('other', 0), surveyId: 'sv2' },
    },
  });

  it('produces exactly the document Python builds (points by position then id, numbered from 1; unknown person → "")', async () => {
    // given: the object backend build_content returns for the same rows (written out by hand)
    const python = {
      template: 'saha.survey-minutes/1',
      minutesId: 'm1',
      revision: 2,
      supersedesId: null,
      workOrderNumber: 'IE-2026-000007',
      site: { code: 'KSK-001', name: 'Karşıyaka Hizmet Binası', district: 'Karşıyaka', address: 'Cemal Gürsel Cd. 1' },
      request: { reason: 'Vezne güvenliği', requestingUnit: 'Mali Hizmetler' },
      surveyDate: '2026-11-22',
      recording: { location: 'OWN_CABINET', note: '' },
      infrastructureNeeds: 'PoE switch',
      cablingNeeds: '',
      signs: { count: 1, note: 'Girişe' },
      conclusion: 'FAVOURABLE',
      conclusionNote: 'Uygundur.',
      points: [
        { no: 1, id: 'pc', place: 'Yer pc', areaType: 'ENTRANCE', mounting: 'WALL', viewDirection: '', photos: [], latE6: null, lonE6: null },
        { no: 2, id: 'pa', place: 'Yer pa', areaType: 'ENTRANCE', mounting: 'WALL', viewDirection: '', photos: [], latE6: null, lonE6: null },
        {
          no: 3,
          id: 'pb',
          place: 'Yer pb',
          areaType: 'CASHIER',
          mounting: 'CEILING',
          viewDirection: '',
          photos: ['a'.repeat(64)],
          latE6: 38455432,
          lonE6: 27112345,
        },
      ],
      parties: { technician: { id: 'u1', name: 'Mehmet Yılmaz' }, security: { id: 'u2', name: 'Hüseyin Çelik' }, unitHead: { id: 'u3', name: '' } },
    };
    // when
    const content = buildContent(state(), survey, 'm1', 2);
    // then: the same document, and the hash Python computes for it
    // (backend.domain.surveys.signing.content_hash of the object above)
    expect(content).toEqual(python);
    const hash = await contentHash(content as unknown as Json);
    expect(hash).toBe('2497cd00f6894ee7844902f464e4413bb96285ba342d0c815b983e508ba925ec');
    expect(verificationCode(hash)).toBe('ESL4-2AHW-RFHO');
    expect(missingForMinutes(content)).toEqual([]);
  });

  it('lists what minutes.create would refuse as incomplete', () => {
    // given: a favourable survey with no date, no points, no recording location and no sign count
    const s = state();
    s.surveyPoints = {};
    const sv = { ...survey, surveyDate: null, recordingLocation: null, signsNeeded: null };
    // when
    const missing = missingForMinutes(buildContent(s, sv, 'm', 1));
    // then
    expect(missing).toEqual(['surveyDate', 'points', 'recording', 'signs']);
    expect(missingForMinutes(buildContent(s, { ...sv, conclusion: 'UNFAVOURABLE', surveyDate: '2026-11-22' }, 'm', 1))).toEqual([]);
  });
});
