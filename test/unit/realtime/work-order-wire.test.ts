import { createWorkOrderEmitter, type WorkOrderEventMap } from '../../../src/app/work-orders/lifecycle/work-order.events';
import { SocketProjector, type HotlineIo } from '../../../src/adapters/realtime/projector';
import { WORK_ORDER_EVENTS, workOrderRooms, workOrderWire } from '../../../src/adapters/realtime/work-order-wire';

const AT = new Date('2026-03-02T10:00:00+08:00');
const DUE = new Date('2026-03-03T09:00:00+08:00');
const NOW = AT.getTime() + 5000;

const base = { orderId: 'o-1', number: '20260302-0001', unitIds: ['unit-water', 'unit-gas'] };
const samples: WorkOrderEventMap = {
  'workOrder:created': { ...base, action: 'create', from: 'DRAFT', to: 'PENDING_DISPATCH', actorId: 'u-agent', rev: 1, at: AT },
  'workOrder:changed': { ...base, action: 'sign', from: 'PENDING_SIGN', to: 'IN_PROGRESS', actorId: 'u-water', rev: 4, at: AT },
  'workOrder:reminder': { ...base, key: 'o-1:sign:reminder@0.75', stage: 'sign', kind: 'reminder', level: 'reminder', dueAt: DUE, at: AT },
  'workOrder:supervision': { ...base, key: 'o-1:sign:yellow', stage: 'sign', kind: 'supervision', level: 'yellow', dueAt: DUE, at: AT },
  'workOrder:escalated': { ...base, reason: '张三 第五次来电', at: AT },
  'workOrder:contactRetryDue': { ...base, dueAt: DUE },
  'workOrder:callbackDue': { ...base, dueAt: DUE },
  'workOrder:deadlineChanged': { ...base, stage: 'complete', previousDueAt: AT, dueAt: DUE, at: AT },
};

describe('work-order wire messages', () => {
  it('forwards every event of the app map', () => {
    expect([...WORK_ORDER_EVENTS].sort()).toEqual(Object.keys(samples).sort());
  });

  it('created and changed → workorder:changed with statuses, revision and a per-revision key', () => {
    expect(workOrderWire('workOrder:created', samples['workOrder:created'], NOW)).toEqual({
      event: 'workorder:changed',
      payload: { kind: 'created', orderId: 'o-1', number: '20260302-0001', unitIds: ['unit-water', 'unit-gas'], at: AT.getTime(), key: 'o-1:rev:1', action: 'create', from: 'DRAFT', to: 'PENDING_DISPATCH', actorId: 'u-agent', rev: 1 },
    });
    expect(workOrderWire('workOrder:changed', samples['workOrder:changed'], NOW).payload).toMatchObject({ kind: 'changed', action: 'sign', to: 'IN_PROGRESS', rev: 4, key: 'o-1:rev:4' });
  });

  it('催办 and 督办 → workorder:notice with stage, level, due time and the sweep\'s key', () => {
    expect(workOrderWire('workOrder:reminder', samples['workOrder:reminder'], NOW)).toEqual({
      event: 'workorder:notice',
      payload: { kind: 'reminder', orderId: 'o-1', number: '20260302-0001', unitIds: ['unit-water', 'unit-gas'], at: AT.getTime(), key: 'o-1:sign:reminder@0.75', stage: 'sign', level: 'reminder', dueAt: DUE.getTime() },
    });
    expect(workOrderWire('workOrder:supervision', samples['workOrder:supervision'], NOW).payload).toMatchObject({ kind: 'supervision', level: 'yellow', stage: 'sign', key: 'o-1:sign:yellow' });
  });

  it('an escalation leaves out the free-text reason', () => {
    const { payload } = workOrderWire('workOrder:escalated', samples['workOrder:escalated'], NOW);
    expect(payload).toEqual({ kind: 'escalation', orderId: 'o-1', number: '20260302-0001', unitIds: ['unit-water', 'unit-gas'], at: AT.getTime(), key: `o-1:escalation:${AT.getTime()}` });
    expect(JSON.stringify(payload)).not.toContain('张三');
  });

  it('contact retry and callback due → notices stamped now, keyed by their due time', () => {
    expect(workOrderWire('workOrder:contactRetryDue', samples['workOrder:contactRetryDue'], NOW).payload).toEqual({
      kind: 'contactRetry', orderId: 'o-1', number: '20260302-0001', unitIds: ['unit-water', 'unit-gas'], at: NOW, key: `o-1:contactRetry:${DUE.getTime()}`, dueAt: DUE.getTime(),
    });
    expect(workOrderWire('workOrder:callbackDue', samples['workOrder:callbackDue'], NOW).payload).toMatchObject({ kind: 'callback', at: NOW, dueAt: DUE.getTime() });
  });

  it('a deadline counted again on a new calendar year → notice with the old and new due times', () => {
    expect(workOrderWire('workOrder:deadlineChanged', samples['workOrder:deadlineChanged'], NOW).payload).toEqual({
      kind: 'deadlineChanged', orderId: 'o-1', number: '20260302-0001', unitIds: ['unit-water', 'unit-gas'], at: AT.getTime(),
      key: `o-1:deadline:complete:${DUE.getTime()}`, stage: 'complete', previousDueAt: AT.getTime(), dueAt: DUE.getTime(),
    });
  });

  it('fields outside the allow-list never reach the wire (e.g. a caller added to an event later)', () => {
    const leaky = { ...samples['workOrder:reminder'], caller: { name: '李四', phone: '13812345678' } } as WorkOrderEventMap['workOrder:reminder'];
    const text = JSON.stringify(workOrderWire('workOrder:reminder', leaky, NOW));
    expect(text).not.toContain('李四');
    expect(text).not.toContain('13812345678');
  });

  it('rooms: each unit once, then the staff room', () => {
    expect(workOrderRooms(['unit-water', 'unit-gas', 'unit-water'])).toEqual(['unit:unit-water', 'unit:unit-gas', 'workorders']);
    expect(workOrderRooms([])).toEqual(['workorders']);
  });
});

describe('SocketProjector work-order events', () => {
  function fakeIo() {
    const sent: { rooms: unknown; event: string; payload: unknown }[] = [];
    const io = { to: (r: unknown) => ({ emit: (event: string, payload: unknown) => sent.push({ rooms: r, event, payload }) }) };
    return { io: io as unknown as HotlineIo, sent };
  }

  it('emits once to the rooms of all units and the staff room', () => {
    const { io, sent } = fakeIo();
    const p = new SocketProjector(() => NOW);
    p.bind(io);
    p.workOrderEvent('workOrder:reminder', samples['workOrder:reminder']);
    expect(sent).toEqual([{ rooms: ['unit:unit-water', 'unit:unit-gas', 'workorders'], event: 'workorder:notice', payload: expect.objectContaining({ kind: 'reminder', orderId: 'o-1' }) }]);
  });

  it('attachWorkOrders forwards each event until unsubscribed; nothing is sent before bind or after unbind', () => {
    const { io, sent } = fakeIo();
    const p = new SocketProjector(() => NOW);
    const events = createWorkOrderEmitter();
    const off = p.attachWorkOrders(events);
    events.emit('workOrder:changed', samples['workOrder:changed']);
    expect(sent).toHaveLength(0); // not bound yet
    p.bind(io);
    for (const name of WORK_ORDER_EVENTS) events.emit(name, samples[name] as never);
    expect(sent.map((s) => s.event)).toEqual(['workorder:changed', 'workorder:changed', 'workorder:notice', 'workorder:notice', 'workorder:notice', 'workorder:notice', 'workorder:notice', 'workorder:notice']);
    p.unbind();
    events.emit('workOrder:reminder', samples['workOrder:reminder']);
    expect(sent).toHaveLength(8);
    p.bind(io);
    off();
    events.emit('workOrder:reminder', samples['workOrder:reminder']);
    expect(sent).toHaveLength(8);
    for (const name of WORK_ORDER_EVENTS) expect(events.listenerCount(name)).toBe(0);
  });
});
