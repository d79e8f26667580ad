import { Writable } from 'node:stream';
import { createLogger, REDACTED } from '../../../src/adapters/logging/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'debug', stream }) };
}

describe('logger', () => {
  it('writes JSON lines with callId / agentId / orderId fields from child loggers', () => {
    const { lines, log } = capture();
    log.child({ callId: 'c1' }).child({ agentId: 'a7' }).info('agent rung', { orderId: 'WO1' });
    expect(lines[0]).toMatchObject({ level: 'info', message: 'agent rung', callId: 'c1', agentId: 'a7', orderId: 'WO1' });
    expect(typeof lines[0]?.['timestamp']).toBe('string');
  });

  it('redacts secrets at any depth and in URLs', () => {
    const { lines, log } = capture();
    log.info('connecting mongodb://admin:s3cret@db:27017/x', {
      password: 'p',
      nested: { jwtSecret: 'j', list: [{ authorization: 'Bearer x' }], keep: 'visible' },
      ari: { url: 'http://h', ARI_PASSWORD: 'z' },
    });
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/s3cret|"p"|"j"|Bearer|"z"/);
    expect(lines[0]).toMatchObject({ password: REDACTED, nested: { jwtSecret: REDACTED, keep: 'visible' } });
    expect(lines[0]?.['message']).toBe(`connecting mongodb://admin:${REDACTED}@db:27017/x`);
  });

  it('redacts credentials inside any string field value, child fields and errors included', () => {
    const { lines, log } = capture();
    log.child({ db: 'mongodb://hotline:db-pass-1@db:27017/x' }).error('connect failed', {
      uri: 'mongodb://hotline:db-pass-2@db:27017/hotline12345?authSource=admin',
      redisUrl: 'redis://:redis-pass-3@cache:6379',
      err: new Error('getaddrinfo failed for redis://default:redis-pass-4@cache:6379'),
      list: ['amqp://u:list-pass-5@mq'],
    });
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/db-pass-1|db-pass-2|redis-pass-3|redis-pass-4|list-pass-5/);
    expect(lines[0]).toMatchObject({
      uri: `mongodb://hotline:${REDACTED}@db:27017/hotline12345?authSource=admin`,
      redisUrl: `redis://:${REDACTED}@cache:6379`,
      db: `mongodb://hotline:${REDACTED}@db:27017/x`,
    });
  });
});

describe('logger and callers (PIPL)', () => {
  it('masks callers\' numbers and names in any field, at any depth, whether or not the caller is confidential', () => {
    const { lines, log } = capture();
    log.child({ callId: 'c1', callerNumber: '13812345678' }).info('call entered', {
      calledNumber: '12345',
      queueId: 'general',
      order: { caller: { phone: '13987654321', callerName: '张三丰' } },
      from: 'queued',
    });
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/13812345678|13987654321|三丰/);
    expect(lines[0]).toMatchObject({ callerNumber: '138****5678', calledNumber: '12345', from: 'queued', order: { caller: { phone: '139****4321', callerName: '张**' } } });
  });

  it('masks mobile numbers inside any text (messages, error messages, database keys), not other digit runs', () => {
    const { lines, log } = capture();
    log.error('caller 13812345678 not stored', {
      err: new Error('E11000 duplicate key error dup key: { _id: "13987654321:42" }'),
      detail: 'retry for 15912345678, at 1733580000000, call 4001234567',
    });
    const line = JSON.stringify(lines[0]);
    expect(line).not.toMatch(/13812345678|13987654321|15912345678/);
    expect(lines[0]?.['message']).toBe('caller 138****5678 not stored');
    expect(lines[0]?.['detail']).toBe('retry for 159****5678, at 1733580000000, call 4001234567');
    expect(line).toContain('139****4321:42');
  });
});
