/**
 * Every error answer of the REST API is an RFC 9457 problem document (`application/problem+json`)
 * with the error code kept in `code`: unknown route, bad input, malformed JSON, missing token, role
 * not allowed, not found, conflict, rate limit (issue 24 §5).
 */
import { account, mongoBaseUrl, request, startApp, uniqueDbName, type TestApp } from '../../support/api-harness';

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}` });
});
afterAll(async () => {
  await app?.stop();
});

function expectProblem(res: { status: number; body: unknown; headers: Headers }, status: number, code: string, extra: Record<string, unknown> = {}): void {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: `urn:hotline12345:problem:${code.toLowerCase()}`, status, code, ...extra });
  const body = res.body as { title: unknown; detail: unknown; message?: unknown };
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body).not.toHaveProperty('message');
}

describe('problem details on every error path', () => {
  it('unknown route → 404', async () => {
    expectProblem(await request(app, 'GET', '/api/nothing-here'), 404, 'NOT_FOUND', { instance: '/api/nothing-here', title: 'Not Found' });
  });

  it('missing token → 401; role not allowed → 403', async () => {
    expectProblem(await request(app, 'GET', '/api/users'), 401, 'AUTH.UNAUTHENTICATED');
    const agent = await account(app, 'agent');
    expectProblem(await request(app, 'GET', '/api/users', { token: agent.token }), 403, 'AUTH.FORBIDDEN');
  });

  it('bad input → 400 naming the field; malformed JSON → 400 field body', async () => {
    const admin = await account(app, 'admin');
    expectProblem(await request(app, 'POST', '/api/users', { token: admin.token, body: { username: 'x' } }), 400, 'VALIDATION.FIELD', { field: expect.stringMatching(/^body\./) as unknown });
    expectProblem(await request(app, 'POST', '/api/users', { token: admin.token, rawBody: '{"username":' }), 400, 'VALIDATION.FIELD', { field: 'body' });
  });

  it('not found → 404 with the path as instance', async () => {
    const admin = await account(app, 'admin');
    expectProblem(await request(app, 'GET', '/api/users/nobody', { token: admin.token }), 404, 'NOT_FOUND', { instance: '/api/users/nobody' });
  });

  it('the OpenAPI document declares the problem schema for error responses', async () => {
    const doc = (await request<{ paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }>(app, 'GET', '/openapi.json')).body;
    const login = doc.paths['/api/auth/login']?.['post']?.responses['401'];
    expect(Object.keys(login?.content ?? {})).toEqual(['application/problem+json']);
  });
});
