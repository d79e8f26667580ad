/**
 * Issue 19 §5, reproduced against a running instance and the real database server: a refresh token
 * presented 20 times at once has exactly one winner, every round; the reuse (the 19 others) revokes
 * the whole login family, including the refresh and access tokens the winner was just issued, on
 * whichever side of the revocation the winner's write landed.
 *
 * The single winner needs a database whose conditional update is atomic (MongoDB; FerretDB v2 on
 * PostgreSQL+DocumentDB). FerretDB v1 on SQLite is not, and lets 2-3 refreshes win.
 */
import { account, mongoBaseUrl, request, startApp, uniqueDbName, type TestApp } from '../../support/api-harness';

interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe('§5 refresh-token reuse detection', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp({ dbUri: `${await mongoBaseUrl()}/${uniqueDbName(__filename)}` });
  });
  afterAll(async () => {
    await app.stop();
  });

  const me = async (accessToken: string) => (await request(app, 'GET', '/api/auth/me', { token: accessToken })).status;
  const refresh = (refreshToken: string) => request<Pair & { code?: string }>(app, 'POST', '/api/auth/refresh', { body: { refreshToken } });

  it('20 parallel refreshes of one token: exactly one winner in each of 6 rounds, and the family dies with the winner\'s new tokens', async () => {
    const winnersPerRound: number[] = [];
    const survivors: string[] = [];
    for (let round = 0; round < 6; round += 1) {
      const user = await account(app, 'agent');
      const results = await Promise.all(Array.from({ length: 20 }, () => refresh(user.refreshToken)));
      const winners = results.filter((r) => r.status === 200);
      winnersPerRound.push(winners.length);
      expect(results.filter((r) => r.status !== 200).map((r) => r.status)).toEqual(Array(20 - winners.length).fill(401));
      // Whatever was issued in the race is dead: refresh tokens and access tokens of every winner, and the login's.
      for (const w of winners) {
        if ((await refresh(w.body.refreshToken)).status !== 401) survivors.push(`round ${round}: winner's refresh token`);
        if ((await me(w.body.accessToken)) !== 401) survivors.push(`round ${round}: winner's access token`);
      }
      if ((await me(user.token)) !== 401) survivors.push(`round ${round}: login access token`);
    }
    expect(winnersPerRound).toEqual([1, 1, 1, 1, 1, 1]);
    expect(survivors).toEqual([]);
  });

  it('a stolen token used after its owner refreshed: the family is revoked, the owner\'s current tokens included', async () => {
    const user = await account(app, 'supervisor');
    const owner = await refresh(user.refreshToken);
    expect(owner.status).toBe(200);
    expect(await me(owner.body.accessToken)).toBe(200);
    // The thief replays the spent token.
    const thief = await refresh(user.refreshToken);
    expect(thief.status).toBe(401);
    expect(await me(owner.body.accessToken)).toBe(401);
    expect((await refresh(owner.body.refreshToken)).status).toBe(401);
    // Another login of the same user is another family and keeps working.
    const other = await request<Pair>(app, 'POST', '/api/auth/login', { body: { username: user.username, password: user.password } });
    expect(other.status).toBe(200);
    expect(await me(other.body.accessToken)).toBe(200);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
  });
});
