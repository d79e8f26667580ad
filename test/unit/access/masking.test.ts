import { isHandling, maskName, maskPhone, maskedForAudience, visibleCaller, type Actor } from '../../../src/domain/access';

const actor = (role: Actor['role'], agentId: string | null = null, unitId: string | null = null): Actor => ({
  userId: 'u',
  role,
  agentId,
  unitId,
  groupId: null,
});
const subject = { handlingAgentId: '1001', unitIds: ['water'] };
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

  it('the agent who answered and the handling unit see the caller; everyone else sees it masked', () => {
    const cases: [Actor, boolean][] = [
      [actor('agent', '1001'), true],
      [actor('agent', '1002'), false],
      [actor('unit_handler', null, 'water'), true],
      [actor('unit_handler', null, 'power'), false],
      [actor('supervisor'), false],
      [actor('admin'), false],
    ];
    for (const [sut, handling] of cases) {
      expect(isHandling(sut, subject)).toBe(handling);
      const v = visibleCaller(sut, subject, caller);
      expect(v.masked).toBe(!handling);
      expect(v.callerNumber).toBe(handling ? '13812345678' : '138****5678');
      expect(v.callerName).toBe(handling ? '张三丰' : '张**');
    }
  });

  it('non-confidential callers are never masked', () => {
    const v = visibleCaller(actor('admin'), subject, { ...caller, confidential: false });
    expect(v).toMatchObject({ callerNumber: '13812345678', callerName: '张三丰', masked: false });
    expect(maskedForAudience({ ...caller, confidential: false }).callerNumber).toBe('13812345678');
    expect(maskedForAudience(caller).callerNumber).toBe('138****5678');
  });
});
