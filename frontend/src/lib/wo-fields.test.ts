import { beforeEach, describe, expect, it } from 'vitest';
import { canEditWorkOrder } from '../features/workorders';
import { setLang } from '../i18n';
import { proposalFieldLabel } from './diagnostics';
import { changeLines, isFrozen } from './wo-fields';

const tech = {
  user: { id: 'u1', username: 'teknisyen', fullName: 'Ali Teknisyen', role: 'TECHNICIAN' as const, region: null },
  permissions: ['workorders.work', 'workorders.note', 'workorders.edit'],
};
const manager = {
  user: { id: 'u2', username: 'mudur', fullName: 'Ayşe Müdür', role: 'MANAGER' as const, region: null },
  permissions: ['workorders.edit', 'workorders.approve', 'devices.manage'],
};

beforeEach(() => setLang('tr'));

describe('the timeline keeps old → new values', () => {
  it('shows each edited field in words, with its values as people read them', () => {
    const lines = changeLines([
      { field: 'priority', before: 'NORMAL', after: 'HIGH' },
      { field: 'title', before: 'Aylık bakım', after: 'Kamera temizliği' },
      { field: 'dueOn', before: null, after: '2026-12-20' },
    ]);
    expect(lines[0]).toBe('Öncelik: Normal → Yüksek');
    expect(lines[1]).toBe('Başlık: Aylık bakım → Kamera temizliği');
    expect(lines[2]).toMatch(/^Termin: .+ → 20\.12\.2026$/);
    expect(changeLines(undefined)).toEqual([]);
  });
});

describe('a work order freezes at submission', () => {
  it('offers editing before submission and after a return, to nobody afterwards', () => {
    for (const status of ['SUBMITTED', 'APPROVED', 'CLOSED']) {
      expect(isFrozen(status)).toBe(true);
      expect(canEditWorkOrder(tech, { status, assigneeId: 'u1' } as never)).toBe(false);
      expect(canEditWorkOrder(manager, { status, assigneeId: 'u1' } as never)).toBe(false);
    }
    for (const status of ['ASSIGNED', 'IN_PROGRESS', 'RETURNED']) {
      expect(isFrozen(status)).toBe(false);
      expect(canEditWorkOrder(tech, { status, assigneeId: 'u1' } as never)).toBe(true);
    }
  });
});

describe('proposals', () => {
  it('name the inventory field in Turkish and in English', () => {
    expect(proposalFieldLabel('serialNumber')).toBe('Seri numarası');
    setLang('en');
    expect(proposalFieldLabel('firmware')).toBe('Firmware');
  });
});
