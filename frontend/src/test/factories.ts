import type { WorkOrder } from '../api/types';

/** Factory for a work order as the API returns it. */
export function makeWorkOrder(over: Partial<WorkOrder> = {}): WorkOrder {
  const tech = { id: 'u1', username: 'teknisyen', fullName: 'Ali Teknisyen', role: 'TECHNICIAN' as const, region: null };
  return {
    id: 'w1',
    number: 'IE-2026-0001',
    type: 'FAULT',
    status: 'ASSIGNED',
    title: 'Kamera görüntü vermiyor',
    description: 'Giriş kamerası',
    priority: 'HIGH',
    site: { id: 's1', code: 'HB-01', name: 'Hizmet Binası', kind: 'SERVICE_BUILDING', district: 'Merkez' },
    devices: [{ id: 'd1', kind: 'CAMERA', assetTag: 'DM-1', make: 'Acme', model: 'X1', status: 'FAULTY', site: { id: 's1' } as never }],
    assignee: tech,
    createdBy: { id: 'u2', username: 'mudur', fullName: 'Müdür Bey', role: 'MANAGER', region: null },
    dueOn: '2026-11-30',
    createdAt: '2026-11-20T08:00:00+00:00',
    updatedAt: '2026-11-20T08:00:00+00:00',
    returnReason: null,
    version: 1,
    timeline: [{ id: 'e1', at: '2026-11-20T08:00:00+00:00', actor: tech, kind: 'CREATED', fromStatus: null, toStatus: 'ASSIGNED', text: null }],
    allowedActions: ['START', 'ADD_NOTE'],
    ...over,
  };
}
