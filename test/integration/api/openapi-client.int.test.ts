/**
 * A client generated from the served OpenAPI document works (issue 24 §5): openapi-typescript turns
 * /openapi.json into types, a small program calls the API through openapi-fetch with them, tsc
 * type-checks it against the generated types (a request the document does not allow fails here),
 * and the program, run against the live API, creates a user, reads it back and gets a typed problem
 * document for a bad request.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { account, mongoBaseUrl, startApp, uniqueDbName, type TestApp } from '../../support/api-harness';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

let app: TestApp;
let dir = '';

beforeAll(async () => {
  app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}` });
  // Inside the repository, so the program resolves openapi-fetch from its node_modules.
  dir = mkdtempSync(join(ROOT, '.lab', 'openapi-client-'));
});
afterAll(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PROGRAM = `
import createClient from 'openapi-fetch';
import type { paths } from './api';

async function main(): Promise<void> {
  const client = createClient<paths>({ baseUrl: process.env['BASE_URL'], headers: { authorization: \`Bearer \${process.env['TOKEN']}\` } });
  const created = await client.POST('/api/users', {
    body: { username: 'generated-client', password: 'generated-pass-1', role: 'supervisor', displayName: '班长' },
  });
  const createdUser = created.data as { id: string } | undefined;
  const read = createdUser ? await client.GET('/api/users/{userId}', { params: { path: { userId: createdUser.id } } }) : null;
  const bad = await client.GET('/api/users', { params: { query: { page: 0 } } });
  // The error is typed from the document: RFC 9457 problem details.
  const problem: { code: string; status: number; field?: string } | undefined = bad.error;
  process.stdout.write(JSON.stringify({ created: created.response.status, read: read?.response.status, readBody: read?.data, bad: bad.response.status, problem }));
}

void main();
`;

describe('a client generated from the OpenAPI document', () => {
  it('generates, type-checks and calls the API', async () => {
    const doc = await (await fetch(`${app.baseUrl}/openapi.json`)).text();
    writeFileSync(join(dir, 'openapi.json'), doc);
    await run(join(BIN, 'openapi-typescript'), [join(dir, 'openapi.json'), '-o', join(dir, 'api.d.ts')], { cwd: ROOT });
    writeFileSync(join(dir, 'client.ts'), PROGRAM);
    await run(join(BIN, 'tsc'), ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', join(dir, 'client.ts')], { cwd: ROOT });

    const admin = await account(app, 'admin');
    const out = await run(join(BIN, 'tsx'), [join(dir, 'client.ts')], { cwd: ROOT, env: { ...process.env, BASE_URL: app.baseUrl, TOKEN: admin.token } });
    const result = JSON.parse(out.stdout) as { created: number; read: number; readBody: { username: string }; bad: number; problem: { code: string; status: number; field: string } };
    expect(result).toMatchObject({ created: 201, read: 200, readBody: { username: 'generated-client' }, bad: 400, problem: { code: 'VALIDATION.FIELD', status: 400, field: 'query.page' } });
  }, 120_000);

  it('a request the document does not allow does not type-check', async () => {
    writeFileSync(join(dir, 'wrong.ts'), PROGRAM.replace("role: 'supervisor'", "role: 'emperor'"));
    await expect(
      run(join(BIN, 'tsc'), ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', join(dir, 'wrong.ts')], { cwd: ROOT }),
    ).rejects.toMatchObject({ stdout: expect.stringContaining('emperor') as unknown });
  }, 120_000);
});
