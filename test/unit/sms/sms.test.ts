import { nextSendingSlot, parseReceiptText, parseSmsHours, receiptStatus, retryDelayMs, SMS_KINDS, smsKey, smsText } from '../../../src/domain/sms';

describe('SMS rules', () => {
  const ctx = { hotlineName: '12345政务服务便民热线', orderNumber: 'WO20261207-000123', confidential: false, category: '投诉' };

  it('every template is Chinese, signed, names the order and fits one UCS-2 message with the longest usual signature', () => {
    for (const kind of SMS_KINDS) {
      const t = smsText(kind, ctx);
      expect(t.startsWith('【12345政务服务便民热线】')).toBe(true);
      expect(t).toContain('WO20261207-000123');
      expect([...t].length).toBeLessThanOrEqual(70);
    }
  });

  it('a confidential caller\'s text names no matter', () => {
    expect(smsText('received', ctx)).toContain('投诉');
    expect(smsText('received', { ...ctx, confidential: true })).not.toContain('投诉');
  });

  it('keys make one message per notice and occasion', () => {
    expect(smsKey('o1', 'received')).toBe('o1:received');
    expect(smsKey('o1', 'replied', '7')).toBe('o1:replied:7');
  });

  it('back-off doubles from the base up to the maximum', () => {
    const p = { maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, p))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('no SMS at night: a message due at 22:30 Beijing time waits for 08:00', () => {
    const hours = parseSmsHours('08:00-21:00');
    expect(hours).toEqual({ from: '08:00', to: '21:00' });
    expect(nextSendingSlot(new Date('2026-03-02T22:30:00+08:00'), hours!).toISOString()).toBe(new Date('2026-03-03T08:00:00+08:00').toISOString());
    expect(nextSendingSlot(new Date('2026-03-02T10:00:00+08:00'), hours!).toISOString()).toBe(new Date('2026-03-02T10:00:00+08:00').toISOString());
    expect(parseSmsHours('21:00-08:00')).toBeNull();
    expect(parseSmsHours('8-21')).toBeNull();
  });

  it('reads SMPP delivery receipts', () => {
    const r = parseReceiptText('id:SMSC0001 sub:001 dlvrd:001 submit date:2612070900 done date:2612070901 stat:DELIVRD err:000 text:');
    expect(r).toEqual({ messageId: 'SMSC0001', stat: 'DELIVRD', err: '000' });
    expect(receiptStatus('DELIVRD')).toBe('delivered');
    expect(receiptStatus('UNDELIV')).toBe('failed');
    expect(receiptStatus('ENROUTE')).toBeNull();
    expect(parseReceiptText('hello')).toBeNull();
  });
});
