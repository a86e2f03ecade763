import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { showSurveyFieldValue, surveyFieldLabel } from '../lib/survey';
import { buildContent, canonicalJson, contentHash, verificationCode, type Json } from '../lib/minutes';
import { applyChanges, getBaseState, getState, update, type SyncChange } from '../store/store';
import { lastRefusal, refusalsFor, sealPending, selectSurvey, signaturesOf } from '../store/surveys';
import { freshSignedInClient } from '../test/client';
import { dispatch } from './dispatch';
import { getItems, patchItems } from './outbox';
import type { CommandArgs } from './commands';

const tech = {
  user: { id: 'u1', username: 'teknisyen', fullName: 'Mehmet Yılmaz', role: 'TECHNICIAN' as const, region: null },
  permissions: ['workorders.work', 'surveys.work', 'minutes.sign', 'account.signing'],
};

const up = (entity: string, data: Record<string, unknown>): SyncChange => ({
  entity,
  id: String(data.id),
  version: Number(data.version ?? 1),
  op: 'UPSERT',
  data,
});

const surveyData = {
  id: 'sv1',
  workOrderId: 'w9',
  siteId: 's1',
  status: 'DRAFT',
  reason: 'Vezne güvenliği',
  requestingUnit: 'Mali Hizmetler',
  unitHeadId: 'u3',
  technicianId: 'u1',
  securityId: 'u2',
  surveyDate: null,
  recordingLocation: 'OWN_CABINET',
  recordingNote: '',
  infrastructureNeeds: '',
  cablingNeeds: '',
  signsNeeded: null,
  signsNote: '',
  conclusion: null,
  conclusionNote: '',
  correctsMinutesId: null,
  olurReference: null,
  olurDate: null,
  installationWorkOrderId: null,
  createdAt: '2026-11-20T08:00:00+00:00',
  updatedAt: '2026-11-20T08:00:00+00:00',
  version: 4,
};

beforeEach(async () => {
  await freshSignedInClient(tech, []);
  applyChanges([
    up('site', {
      id: 's1',
      code: 'KSK-001',
      name: 'Karşıyaka Hizmet Binası',
      kind: 'SERVICE_BUILDING',
      district: 'Karşıyaka',
      address: 'Cemal Gürsel Cd. 1',
      recordingLocation: 'OWN_CABINET',
    }),
    up('user', { id: 'u1', username: 'teknisyen', fullName: 'Mehmet Yılmaz', role: 'TECHNICIAN', signingPinSetAt: '2026-11-20T08:00:00Z' }),
    up('user', { id: 'u2', username: 'guvenlik', fullName: 'Hüseyin Çelik', role: 'SECURITY', signingPinSetAt: null }),
    up('user', { id: 'u3', username: 'birimamiri', fullName: 'Ayşe Öztürk', role: 'UNIT_HEAD' }),
    up('user', { id: 'u4', username: 'mudur', fullName: 'Gülşen Şahin', role: 'MANAGER' }),
    up('workOrder', {
      id: 'w9',
      number: 'IE-2026-000009',
      type: 'SURVEY',
      status: 'ASSIGNED',
      title: 'Ortak keşif: Mali Hizmetler',
      description: '',
      priority: 'NORMAL',
      siteId: 's1',
      assigneeId: 'u1',
      createdById: 'u4',
      dueOn: null,
      version: 1,
      createdAt: '2026-11-20T08:00:00+00:00',
      updatedAt: '2026-11-20T08:00:00+00:00',
      deviceIds: [],
    }),
    up('survey', surveyData),
  ]);
});

const fill = () =>
  dispatch(
    'survey.update',
    { surveyId: 'sv1', surveyDate: '2026-11-22', conclusion: 'FAVOURABLE', signsNeeded: 2, signsNote: '  Girişe ve vezneye  ' },
    { baseVersions: { 'survey:sv1': 4 } },
  );
const addCashier = () =>
  dispatch(
    'survey.addPoint',
    {
      id: 'p1',
      surveyId: 'sv1',
      position: 1,
      place: ' Vezne ',
      areaType: 'CASHIER',
      mounting: 'CEILING',
      photos: ['a'.repeat(64)],
      latE6: null,
      lonE6: null,
      accuracyM: null,
    },
    { blobRefs: ['a'.repeat(64)] },
  );

async function createMinutes(id = 'm1'): Promise<string> {
  const s = getState();
  const hash = await contentHash(buildContent(s, s.surveys.sv1, id, 1) as unknown as Json);
  const r = await dispatch('minutes.create', { id, surveyId: 'sv1', contentHash: hash });
  expect(r.ok).toBe(true);
  return hash;
}

const sign = (id: string, role: 'TECHNICIAN' | 'SECURITY' | 'UNIT_HEAD', signerId: string, hash: string) =>
  dispatch('minutes.sign', {
    id,
    minutesId: 'm1',
    role,
    signerId,
    imageSha256: 'b'.repeat(64),
    contentHash: hash,
    signedAt: '2026-11-22T10:15:00.000Z',
    proof: PIN_PROOF,
  });

const PIN_PROOF = { kind: 'pin' as const, box: { v: 1 as const, kid: '0123456789abcdef', epk: 'e'.repeat(87), iv: 'i'.repeat(16), ct: 'c'.repeat(30) } };

describe('survey commands, applied at once on the phone', () => {
  it('survey.update sends trimmed fields with the base version and shows them; the server copy is untouched', async () => {
    // when
    const r = await fill();
    // then
    expect(r.ok).toBe(true);
    const [it] = getItems();
    expect(it.args).toEqual({ surveyId: 'sv1', surveyDate: '2026-11-22', conclusion: 'FAVOURABLE', signsNeeded: 2, signsNote: 'Girişe ve vezneye' });
    expect(it.baseVersions).toEqual({ 'survey:sv1': 4 });
    expect(getState().surveys.sv1).toMatchObject({ surveyDate: '2026-11-22', conclusion: 'FAVOURABLE', signsNeeded: 2, signsNote: 'Girişe ve vezneye' });
    expect(getBaseState().surveys.sv1.conclusion).toBeNull();
  });

  it('survey.addPoint shows the point at once, trimmed and pending', async () => {
    // when
    const r = await addCashier();
    // then
    expect(r.ok).toBe(true);
    expect(getItems()[0].blobRefs).toEqual(['a'.repeat(64)]);
    const view = selectSurvey(getState(), 'sv1')!;
    expect(view.points).toHaveLength(1);
    expect(view.points[0]).toMatchObject({ id: 'p1', place: 'Vezne', areaType: 'CASHIER', pending: true, createdById: 'u1' });
  });

  it('a private-area point is refused before it reaches the outbox, naming directive 7(4)', async () => {
    // when
    const r = await dispatch('survey.addPoint', { id: 'p2', surveyId: 'sv1', position: 2, place: 'Müdür odası', areaType: 'OFFICE', mounting: 'WALL' });
    const u = await dispatch('survey.updatePoint', { pointId: 'p1', areaType: 'TOILET' });
    // then
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe('areaType');
      expect(r.error.message).toContain('7(4)');
      expect(r.error.message).toContain('Ofis');
    }
    expect(u.ok).toBe(false);
    expect(getItems()).toHaveLength(0);
    expect(getState().surveyPoints.p2).toBeUndefined();
  });

  it('updatePoint and removePoint change the local points', async () => {
    // given
    await addCashier();
    // when
    await dispatch('survey.updatePoint', { pointId: 'p1', viewDirection: ' Kapıya ' });
    // then
    expect(getState().surveyPoints.p1.viewDirection).toBe('Kapıya');
    // when
    await dispatch('survey.removePoint', { pointId: 'p1' });
    // then
    expect(getState().surveyPoints.p1).toBeUndefined();
  });

  it('minutes.create shows AWAITING_SIGNATURES minutes with the locally built content and locks the survey', async () => {
    // given
    await fill();
    await addCashier();
    // when
    const hash = await createMinutes();
    // then
    const s = getState();
    const m = s.minutes.m1;
    expect(m).toMatchObject({
      status: 'AWAITING_SIGNATURES',
      revision: 1,
      contentHash: hash,
      verificationCode: verificationCode(hash),
      pending: true,
      supersedesId: null,
    });
    expect(m.content).toBe(canonicalJson(buildContent(s, s.surveys.sv1, 'm1', 1) as unknown as Json));
    const content = JSON.parse(m.content) as { points: unknown[]; signs: unknown };
    expect(content.points[0]).toMatchObject({ no: 1, place: 'Vezne', areaType: 'CASHIER' });
    expect(content.signs).toEqual({ count: 2, note: 'Girişe ve vezneye' });
    expect(s.surveys.sv1.status).toBe('AWAITING_SIGNATURES');
  });

  it('minutes.sign shows each signature as pending; with all three the minutes show "sealing pending"', async () => {
    // given
    await fill();
    await addCashier();
    const hash = await createMinutes();
    // when
    await sign('g1', 'TECHNICIAN', 'u1', hash);
    await sign('g2', 'SECURITY', 'u2', hash);
    // then
    let sigs = signaturesOf(getState(), 'm1');
    expect(sigs.TECHNICIAN).toMatchObject({ pending: true, signerId: 'u1', capturedById: 'u1', recordedAt: null });
    expect(sealPending(getState().minutes.m1, sigs)).toBe(false);
    // when
    await sign('g3', 'UNIT_HEAD', 'u3', hash);
    // then
    sigs = signaturesOf(getState(), 'm1');
    expect(Object.keys(sigs).sort()).toEqual(['SECURITY', 'TECHNICIAN', 'UNIT_HEAD']);
    expect(sealPending(getState().minutes.m1, sigs)).toBe(true);
    expect(getState().minutes.m1.status).toBe('AWAITING_SIGNATURES');
  });

  it('a rejected signature drops out, so the slot can be signed again', async () => {
    // given
    await fill();
    const hash = await createMinutes();
    await sign('g2', 'SECURITY', 'u2', hash);
    const seq = getItems().find((it) => it.name === 'minutes.sign')!.seq;
    // when: the server refuses it (wrong PIN)
    await patchItems([{ seq, patch: { state: 'rejected', error: { code: 'MINUTES_SIGNATURE_INVALID', message: 'PIN hatalı', field: 'proof' } } }]);
    // then
    expect(signaturesOf(getState(), 'm1').SECURITY).toBeUndefined();
    // and: a new signature for the slot shows again
    await sign('g4', 'SECURITY', 'u2', hash);
    expect(signaturesOf(getState(), 'm1').SECURITY?.id).toBe('g4');
  });

  it('minutes.withdraw reopens the survey; the next minutes get revision 2', async () => {
    // given
    await fill();
    await createMinutes();
    // when
    await dispatch('minutes.withdraw', { minutesId: 'm1', reason: 'Nokta eksik' });
    // then
    expect(getState().minutes.m1).toMatchObject({ status: 'WITHDRAWN', withdrawnReason: 'Nokta eksik' });
    expect(getState().surveys.sv1.status).toBe('DRAFT');
    // when
    const s = getState();
    const hash = await contentHash(buildContent(s, s.surveys.sv1, 'm2', 2) as unknown as Json);
    await dispatch('minutes.create', { id: 'm2', surveyId: 'sv1', contentHash: hash });
    // then
    expect(getState().minutes.m2.revision).toBe(2);
  });

  it('survey.correct reopens a sealed survey and the new minutes supersede the sealed ones', async () => {
    // given: sealed on the server
    applyChanges([
      up('survey', { ...surveyData, status: 'SEALED', version: 9 }),
      up('minutes', {
        id: 'm0',
        surveyId: 'sv1',
        revision: 1,
        templateVersion: 'saha.survey-minutes/1',
        content: '{}',
        contentHash: 'd'.repeat(64),
        verificationCode: 'AAAA-BBBB-CCCC',
        status: 'SEALED',
        supersedesId: null,
        createdById: 'u1',
        createdAt: '2026-11-21T08:00:00+00:00',
        sealedAt: '2026-11-21T09:00:00+00:00',
        pdfSha256: null,
        version: 3,
      }),
    ]);
    // when
    await dispatch('survey.correct', { surveyId: 'sv1', reason: 'Levha sayısı yanlış' });
    // then
    expect(getState().surveys.sv1).toMatchObject({ status: 'DRAFT', correctsMinutesId: 'm0' });
    // when
    await fill();
    const s = getState();
    const content = buildContent(s, s.surveys.sv1, 'm2', 2);
    await dispatch('minutes.create', { id: 'm2', surveyId: 'sv1', contentHash: await contentHash(content as unknown as Json) });
    // then
    expect(content.supersedesId).toBe('m0');
    expect(getState().minutes.m2).toMatchObject({ supersedesId: 'm0', revision: 2 });
  });

  it('survey.recordApproval shows the Olur and the new installation work order', async () => {
    // given
    applyChanges([up('survey', { ...surveyData, status: 'SEALED', conclusion: 'FAVOURABLE', version: 9 })]);
    // when
    await dispatch('survey.recordApproval', { surveyId: 'sv1', olurReference: ' E-2026/118 ', olurDate: '2026-11-25', installationWorkOrderId: 'w10' });
    // then
    const view = selectSurvey(getState(), 'sv1')!;
    expect(view).toMatchObject({ status: 'APPROVED', olurReference: 'E-2026/118', olurDate: '2026-11-25', installationWorkOrderId: 'w10' });
    expect(view.installationWo).toMatchObject({ id: 'w10', type: 'INSTALLATION', siteId: 's1', title: 'Kurulum: Karşıyaka Hizmet Binası' });
  });

  it('survey.request shows the survey and its survey work order for the technician', async () => {
    // when
    await dispatch('survey.request', {
      id: 'sv2',
      workOrderId: 'w11',
      siteId: 's1',
      reason: 'Otopark',
      requestingUnit: ' Park ve Bahçeler ',
      unitHeadId: 'u3',
      technicianId: 'u1',
      securityId: 'u2',
    });
    // then
    const view = selectSurvey(getState(), 'sv2')!;
    expect(view).toMatchObject({ status: 'DRAFT', requestingUnit: 'Park ve Bahçeler', recordingLocation: 'OWN_CABINET', pending: true });
    expect(view.wo).toMatchObject({ type: 'SURVEY', status: 'ASSIGNED', assigneeId: 'u1', title: 'Ortak keşif: Park ve Bahçeler' });
  });

  it('passkey.revoke hides the passkey at once; nothing about PINs is on the phone or in the outbox', async () => {
    // given one of the viewer's passkeys
    update((s) => ({
      ...s,
      passkeys: {
        pk1: {
          id: 'pk1',
          userId: 'u1',
          credentialId: 'cred',
          label: 'Android · Chrome',
          createdAt: '2026-12-01T10:00:00Z',
          lastUsedAt: null,
          revokedAt: null,
          version: 1,
        },
      },
    }));
    // when
    await dispatch('passkey.revoke', { passkeyId: 'pk1' });
    // then
    expect(getState().passkeys.pk1.revokedAt).not.toBeNull();
    expect(getBaseState().passkeys.pk1.revokedAt).toBeNull();
    expect(getItems()[0].args).toEqual({ passkeyId: 'pk1' });
    expect(JSON.stringify(getState().users)).not.toMatch(/salt|iteration|storedKey/i);
  });

  it('a pending PIN signature shows its method and carries only the sealed box', async () => {
    // given
    const hash = await createMinutes();
    // when
    await sign('sig-pin', 'SECURITY', 'u2', hash);
    // then
    expect(getState().signatures['sig-pin']).toMatchObject({ method: 'PIN', pending: true });
    const proof = (getItems().at(-1)!.args as CommandArgs['minutes.sign']).proof;
    expect(proof.kind).toBe('pin');
    expect(Object.keys((proof as { box: object }).box).sort()).toEqual(['ct', 'epk', 'iv', 'kid', 'v']);
  });

  it('keeps refused signatures that arrive by pull, for the slot and for the person they were made for', () => {
    // when
    applyChanges([
      up('signatureRefusal', {
        id: 'r1',
        minutesId: 'm1',
        role: 'SECURITY',
        signerId: 'u2',
        capturedById: 'u1',
        code: 'MINUTES_SIGNATURE_INVALID',
        at: new Date(Date.now() - 60_000).toISOString(),
        version: 1,
      }),
      up('signatureRefusal', {
        id: 'r2',
        minutesId: 'm1',
        role: 'SECURITY',
        signerId: 'u2',
        capturedById: 'u1',
        code: 'MINUTES_SIGNER_LOCKED',
        at: new Date().toISOString(),
        version: 1,
      }),
    ]);
    // then
    expect(lastRefusal(getState(), 'm1', 'SECURITY')?.id).toBe('r2');
    expect(lastRefusal(getState(), 'm1', 'UNIT_HEAD')).toBeUndefined();
    expect(refusalsFor(getState(), 'u2').map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(refusalsFor(getState(), 'u1')).toEqual([]);
  });

  it("a survey conflict names the field in words, and taking the phone's value shows it at once", async () => {
    // given: the security staff changed the conclusion meanwhile; the server kept theirs
    applyChanges([
      up('survey', { ...surveyData, conclusion: 'UNFAVOURABLE', version: 6 }),
      up('conflict', {
        id: 'c1',
        entity: 'survey',
        entityId: 'sv1',
        field: 'conclusion',
        serverValue: 'unfavourable',
        clientValue: 'favourable',
        serverActorId: 'u2',
        clientActorId: 'u1',
        createdAt: '2026-11-22T09:00:00+00:00',
        resolvedAt: null,
        resolution: null,
      }),
    ]);
    // then
    expect(surveyFieldLabel('conclusion')).toBe('Keşif sonucu');
    expect(surveyFieldLabel('signs_note')).toBe('Levha notu (nereye)');
    expect(showSurveyFieldValue('conclusion', 'unfavourable')).toBe('Olumsuz');
    expect(showSurveyFieldValue('recording_location', 'own_cabinet')).toBe('Kendi sistem kabini');
    // when
    await dispatch('conflict.resolve', { conflictId: 'c1', choice: 'take_client' });
    // then
    expect(getState().surveys.sv1.conclusion).toBe('FAVOURABLE');
    expect(getState().conflicts.c1.resolution).toBe('took_client');
  });
});
