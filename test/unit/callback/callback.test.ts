import { callOutcome, checkAssignable, checkClosable, checkPlaceable, type CallbackRequestRecord } from '../../../src/domain/callback/callback';
import { hearsRecording } from '../../../src/app/callbacks/recordings.service';
import type { Actor } from '../../../src/domain/access';
import { ConflictError } from '../../../src/shared/errors';

const request = (over: Partial<CallbackRequestRecord> = {}): CallbackRequestRecord => ({
  id: 'r1', callId: 'c1', callerNumber: '13800000000', queueId: 'general', requestedAt: 0, status: 'assigned', assignedAgentId: 'agent-1',
  assignedAt: 1, assignedBy: 'boss', closedAt: null, closedBy: null, result: null, note: null, calls: [], ...over,
});
const running = { callId: 'x', agentId: 'agent-1', placedAt: 2, placedBy: 'u', agentAnsweredAt: null, citizenAnsweredAt: null, endedAt: null, outcome: 'in-progress' as const, recording: null, talkMs: null };
const actor = (role: Actor['role'], agentId: string | null = null, unitId: string | null = null): Actor => ({ userId: 'u', role, agentId, unitId, groupId: null });

describe('callback requests', () => {
  it('the outcome of a placed call follows its two legs (Q.850 17 busy; 18/19 no answer)', () => {
    expect(callOutcome({ agentAnswered: false, citizenAnswered: false, citizenCause: null })).toBe('agent-no-answer');
    expect(callOutcome({ agentAnswered: true, citizenAnswered: true, citizenCause: null })).toBe('answered');
    expect(callOutcome({ agentAnswered: true, citizenAnswered: false, citizenCause: 17 })).toBe('citizen-busy');
    expect(callOutcome({ agentAnswered: true, citizenAnswered: false, citizenCause: 19 })).toBe('citizen-no-answer');
    expect(callOutcome({ agentAnswered: true, citizenAnswered: false, citizenCause: 34 })).toBe('failed');
  });

  it('placed only by its agent, one call at a time, never once closed', () => {
    expect(() => checkPlaceable(request(), 'agent-1')).not.toThrow();
    expect(() => checkPlaceable(request(), 'agent-2')).toThrow(ConflictError);
    expect(() => checkPlaceable(request({ calls: [running] }), 'agent-1')).toThrow(ConflictError);
    expect(() => checkPlaceable(request({ status: 'closed' }), 'agent-1')).toThrow(ConflictError);
  });

  it('neither reassigned nor closed while a call runs', () => {
    expect(() => checkAssignable(request({ calls: [running] }))).toThrow(ConflictError);
    expect(() => checkClosable(request({ calls: [running] }))).toThrow(ConflictError);
    expect(() => checkClosable(request({ status: 'closed' }))).toThrow(ConflictError);
    expect(() => checkAssignable(request({ status: 'open', assignedAgentId: null }))).not.toThrow();
  });

  it('a recording is heard by its agent, the lead unit and managers; a confidential one only by its handlers', () => {
    const handlers = { handlingAgentId: 'agent-1', handlingUnitIds: ['water'] };
    const open = { confidential: false, handlers };
    const secret = { confidential: true, handlers };
    expect(hearsRecording(actor('agent', 'agent-1'), open)).toBe(true);
    expect(hearsRecording(actor('agent', 'agent-2'), open)).toBe(false);
    expect(hearsRecording(actor('unit_handler', null, 'water'), open)).toBe(true);
    expect(hearsRecording(actor('unit_handler', null, 'roads'), open)).toBe(false);
    expect(hearsRecording(actor('supervisor'), open)).toBe(true);
    expect(hearsRecording(actor('supervisor'), secret)).toBe(false);
    expect(hearsRecording(actor('admin'), secret)).toBe(false);
    expect(hearsRecording(actor('agent', 'agent-1'), secret)).toBe(true);
    expect(hearsRecording(actor('unit_handler', null, 'water'), secret)).toBe(true);
  });
});
