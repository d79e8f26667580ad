import {
  actorHandlerKeys, caseHandlerKeys, isHandling, maskName, maskPhone, maskedForAudience, seesCaller, seesRecording, visibleCaller,
  type Actor, type CaseHandlers,
} from '../../../src/domain/access';

const actor = (role: Actor['role'], agentId: string | null = null, unitId: string | null = null, userId = 'u'): Actor => ({
  userId,
  role,
  agentId,
  unitId,
  groupId: null,
});
/** Answered by agent 1001; a work order from it went to the water company (lead) with power as co-unit. */
const call: CaseHandlers = { handlingAgentId: '1001', handlingUnitIds: ['water'] };
/** A work order created by agent user u-7, led by the water company. */
const order: CaseHandlers = { handlingAgentId: null, handlingUserId: 'u-7', handlingUnitIds: ['water'] };
const caller = { callerNumber: '13812345678', callerName: '张三丰', confidential: true };

describe('masking of confidential callers', () => {
  it('maskPhone keeps 3 + 4 digits of a mobile number, the last 2 of short numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('010-6512345')).toBe('010****2345');
    expect(maskPhone('12345')).toBe('***45');
    expect(maskPhone('7')).toBe('*');
  });

  it('maskName keeps the family name', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('李*');
    expect(maskName('')).toBe('');
  });

  it('who sees a confidential caller of a call: the answering agent and the lead unit; nobody else', () => {
    const cases: [string, Actor, boolean][] = [
      ['agent who answered', actor('agent', '1001'), true],
      ['other agent', actor('agent', '1002'), false],
      ['supervisor', actor('supervisor'), false],
      ['handler of the order\'s lead unit', actor('unit_handler', null, 'water'), true],
      ['handler of a co-unit', actor('unit_handler', null, 'power'), false],
      ['handler of another unit', actor('unit_handler', null, 'gas'), false],
      ['unit handler without a unit', actor('unit_handler'), false],
      ['administrator', actor('admin'), false],
    ];
    for (const [who, sut, handling] of cases) {
      expect([who, isHandling(sut, call)]).toEqual([who, handling]);
      expect([who, seesCaller(sut, call, true)]).toEqual([who, handling]);
      const v = visibleCaller(sut, call, caller);
      expect([who, v.masked, v.callerNumber, v.callerName]).toEqual(
        handling ? [who, false, '13812345678', '张三丰'] : [who, true, '138****5678', '张**'],
      );
    }
  });

  it('on a work order: the agent user who created it and the lead unit handle it', () => {
    expect(isHandling(actor('agent', '1001', null, 'u-7'), order)).toBe(true);
    expect(isHandling(actor('agent', '1001', null, 'u-8'), order)).toBe(false);
    expect(isHandling(actor('supervisor', null, null, 'u-7'), order)).toBe(false);
    expect(isHandling(actor('unit_handler', null, 'water'), order)).toBe(true);
    expect(isHandling(actor('unit_handler', null, 'power'), order)).toBe(false);
    expect(isHandling(actor('admin', null, null, 'u-7'), order)).toBe(false);
  });

  it('handler keys give the same answer as isHandling (a search filters on them)', () => {
    const actors = [
      actor('agent', '1001', null, 'u-7'), actor('agent', '1002'), actor('supervisor'), actor('admin'),
      actor('unit_handler', null, 'water'), actor('unit_handler', null, 'power'), actor('unit_handler'),
    ];
    for (const h of [call, order, { handlingAgentId: null, handlingUnitIds: [] }]) {
      for (const a of actors) {
        const shared = actorHandlerKeys(a).some((k) => caseHandlerKeys(h).includes(k));
        expect(shared).toBe(isHandling(a, h));
      }
    }
  });

  it('recordings: the answering agent, the lead unit, supervisors and administrators; not another agent', () => {
    expect(seesRecording(actor('agent', '1001'), call)).toBe(true);
    expect(seesRecording(actor('agent', '1002'), call)).toBe(false);
    expect(seesRecording(actor('supervisor'), call)).toBe(true);
    expect(seesRecording(actor('admin'), call)).toBe(true);
    expect(seesRecording(actor('unit_handler', null, 'water'), call)).toBe(true);
    expect(seesRecording(actor('unit_handler', null, 'power'), call)).toBe(false);
  });

  it('non-confidential callers are never masked', () => {
    const v = visibleCaller(actor('admin'), call, { ...caller, confidential: false });
    expect(v).toMatchObject({ callerNumber: '13812345678', callerName: '张三丰', masked: false });
    expect(seesCaller(actor('agent', '1002'), call, false)).toBe(true);
    expect(maskedForAudience({ ...caller, confidential: false }).callerNumber).toBe('13812345678');
    expect(maskedForAudience(caller).callerNumber).toBe('138****5678');
  });
});
