import { ConfigError, loadConfig as load, type RawEnv } from '../../../src/config/config';

/** Lab mode unless the test says otherwise (NODE_ENV has no default). */
const loadConfig = (env: RawEnv, readFile?: (path: string) => string) => load({ NODE_ENV: 'development', ...env }, readFile);

function problemsOf(env: Record<string, string>): string[] {
  try {
    // Files: only /run/secrets/db exists.
    loadConfig(env, (path) => {
      if (path === '/run/secrets/db') return 'p@ss/word:1\n';
      throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('empty environment → lab defaults', () => {
    const sut = loadConfig({});
    expect(sut.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(sut.mongodb.uri).toBe('mongodb://127.0.0.1:27017/hotline12345');
    expect(sut.ari).toMatchObject({ url: 'http://127.0.0.1:8088', username: 'hotline', app: 'hotline', requestTimeoutMs: 5000 });
    expect(sut.callPath.ringTimeoutMs).toBe(10000);
    expect(sut.callPath.ratingScale).toBe(2);
    expect(sut.redis).toBeNull();
  });

  it('SMS over SMPP: off by default; the gateway needs its account; hours and URL parsed', () => {
    expect(loadConfig({}).sms).toBeNull();
    expect(problemsOf({ SMS_SMPP_URL: 'smpp://gw.example:2775' }).join()).toMatch(/SMS_SMPP_SYSTEM_ID/);
    expect(problemsOf({ SMS_HOURS: '21:00-08:00' }).join()).toMatch(/^SMS_HOURS/);
    expect(problemsOf({ SMS_SMPP_URL: 'http://gw.example' }).join()).toMatch(/^SMS_SMPP_URL/);
    const sms = loadConfig({ SMS_SMPP_URL: 'ssmpp://gw.example', SMS_SMPP_SYSTEM_ID: 'hotline', SMS_SMPP_PASSWORD: 'pw123456', SMS_HOURS: '09:00-20:00' }).sms;
    expect(sms).toMatchObject({ host: 'gw.example', port: 3550, tls: true, systemId: 'hotline', hours: { from: '09:00', to: '20:00' }, sourceAddr: '12345', maxAttempts: 6 });
  });

  it('several bad variables → every one named in one error', () => {
    const problems = problemsOf({
      HTTP_PORT: 'eighty',
      MONGODB_URI: 'postgres://x',
      RING_TIMEOUT_MS: '5',
      ACD_STRATEGY: 'random',
      RECORD_CALLS: 'maybe',
      ARI_REQUEST_TIMEOUT_MS: '0',
    });
    const vars = problems.map((p) => p.split(':')[0]);
    expect(vars).toEqual(
      expect.arrayContaining(['HTTP_PORT', 'MONGODB_URI', 'RING_TIMEOUT_MS', 'ACD_STRATEGY', 'RECORD_CALLS', 'ARI_REQUEST_TIMEOUT_MS']),
    );
    expect(problems).toHaveLength(6);
    expect(loadConfig({ ARI_REQUEST_TIMEOUT_MS: '2500' }).ari.requestTimeoutMs).toBe(2500);
  });

  it('production without secrets → both secrets named', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(['ARI_PASSWORD: required in production', 'JWT_SECRET: required in production']);
  });

  it('production with the lab secrets → refused', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      ARI_PASSWORD: 'hotline-lab-secret',
      JWT_SECRET: 'hotline-lab-jwt-secret-change-me-in-production',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^ARI_PASSWORD: a lab or placeholder value/);
  });

  it('production with the placeholders of .env.example, or anything containing change-me → each refused', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      ARI_PASSWORD: 'change-me-ari-password',
      JWT_SECRET: 'change-me-to-at-least-32-random-characters',
      BOOTSTRAP_ADMIN_USERNAME: 'chief',
      BOOTSTRAP_ADMIN_PASSWORD: 'change-me-admin-password',
      METRICS_SCRAPE_TOKEN: 'our-scrape-token-CHANGE-ME-0123456789',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['ARI_PASSWORD', 'JWT_SECRET', 'BOOTSTRAP_ADMIN_PASSWORD', 'METRICS_SCRAPE_TOKEN']);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', ARI_PASSWORD: 'a-real-ari-password', JWT_SECRET: 'x7Qp2mZr9Lk4Vb8Nc3Wd6Hf1Jt5Gs0Ya' }),
    ).not.toThrow();
  });

  it('NODE_ENV unset → refused, never the lab secret silently', () => {
    expect(() => load({})).toThrow(ConfigError);
    try {
      load({ JWT_SECRET: 'x7Qp2mZr9Lk4Vb8Nc3Wd6Hf1Jt5Gs0Ya' });
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^NODE_ENV: required: development or test for the lab/)]);
    }
    expect(load({ NODE_ENV: 'test' }).auth.jwtSecret).toBe('hotline-lab-jwt-secret-change-me-in-production');
  });

  it('bootstrap administrator needs both variables; scrape token and CORS origins are parsed', () => {
    expect(problemsOf({ BOOTSTRAP_ADMIN_USERNAME: 'chief' })).toEqual([
      'BOOTSTRAP_ADMIN_PASSWORD: set both BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD, or neither',
    ]);
    expect(problemsOf({ METRICS_SCRAPE_TOKEN: 'short' })).toEqual(['METRICS_SCRAPE_TOKEN: must be at least 32 characters']);
    const sut = loadConfig({
      BOOTSTRAP_ADMIN_USERNAME: 'chief',
      BOOTSTRAP_ADMIN_PASSWORD: 'a-long-bootstrap-pass',
      CORS_ORIGINS: 'https://console.example.gov.cn, https://wall.example.gov.cn',
    });
    expect(sut.bootstrapAdmin).toEqual({ username: 'chief', password: 'a-long-bootstrap-pass' });
    expect(sut.corsOrigins).toEqual(['https://console.example.gov.cn', 'https://wall.example.gov.cn']);
    expect(sut.metricsScrapeToken).toBeNull();
  });

  it('empty strings count as unset', () => {
    expect(loadConfig({ HTTP_PORT: '', REDIS_URL: '' }).http.port).toBe(3000);
  });

  it('valid overrides are typed', () => {
    const sut = loadConfig({ HTTP_PORT: '8080', RATING_SCALE: '5', RECORD_CALLS: 'yes', REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(sut.http.port).toBe(8080);
    expect(sut.callPath.ratingScale).toBe(5);
    expect(sut.callPath.recordCalls).toBe(true);
    expect(sut.redis).toEqual({ url: 'redis://127.0.0.1:6379' });
  });

  it('ringing tone: ringback by default; moh when asked; anything else is named', () => {
    expect(loadConfig({}).callPath.ringingTone).toBe('ringback');
    expect(loadConfig({ RINGING_TONE: 'moh' }).callPath.ringingTone).toBe('moh');
    expect(problemsOf({ RINGING_TONE: 'beep' })[0]).toMatch(/^RINGING_TONE: /);
  });

  it('keypad menu: off by default; digit=queue pairs when set; a malformed list is named', () => {
    expect(loadConfig({}).callPath.menuOptions).toBeNull();
    expect(loadConfig({ MENU_OPTIONS: '1=general,2=tax' }).callPath.menuOptions).toEqual({ '1': 'general', '2': 'tax' });
    expect(problemsOf({ MENU_OPTIONS: '1:general' })[0]).toMatch(/^MENU_OPTIONS: digit=queue pairs/);
  });
});

describe('agent claims across instances', () => {
  it('none by default (one call-path instance); database when asked; anything else is named', () => {
    expect(loadConfig({}).callPath.agentClaims).toBe('none');
    expect(loadConfig({ AGENT_CLAIMS: 'database' }).callPath.agentClaims).toBe('database');
    expect(problemsOf({ AGENT_CLAIMS: 'redis' })[0]).toMatch(/^AGENT_CLAIMS: /);
  });
});

describe('login rate limit', () => {
  it('defaults: 10 failures per account and address, 100 per address, per 15 minutes', () => {
    expect(loadConfig({}).auth.loginRateLimit).toEqual({ windowMs: 900_000, maxFailuresPerAccount: 10, maxFailuresPerAddress: 100 });
  });

  it('overrides are typed; bad values are named, and the address cap may not be below the account limit', () => {
    const sut = loadConfig({ LOGIN_FAILURE_WINDOW_MS: '60000', LOGIN_MAX_FAILURES_PER_ACCOUNT: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '500' });
    expect(sut.auth.loginRateLimit).toEqual({ windowMs: 60_000, maxFailuresPerAccount: 5, maxFailuresPerAddress: 500 });
    expect(problemsOf({ LOGIN_FAILURE_WINDOW_MS: '10', LOGIN_MAX_FAILURES_PER_ACCOUNT: 'ten' }).map((p) => p.split(':')[0])).toEqual([
      'LOGIN_FAILURE_WINDOW_MS',
      'LOGIN_MAX_FAILURES_PER_ACCOUNT',
    ]);
    expect(problemsOf({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '20', LOGIN_MAX_FAILURES_PER_ADDRESS: '15', HTTP_PORT: 'x' })).toEqual([
      expect.stringMatching(/^HTTP_PORT: /),
      'LOGIN_MAX_FAILURES_PER_ADDRESS: must be at least LOGIN_MAX_FAILURES_PER_ACCOUNT (the per-address cap is the looser one)',
    ]);
  });
});

describe('secrets from files (VAR_FILE) and database/Redis passwords', () => {
  const files: Record<string, string> = { '/run/secrets/db': 'p@ss/word:1\n', '/run/secrets/redis': 'r3dis\n' };
  const readFile = (path: string): string => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return content;
  };

  it('reads each *_FILE, drops the trailing newline and puts the passwords into the URLs', () => {
    const sut = loadConfig(
      {
        MONGODB_URI: 'mongodb://hotline@mongodb:27017/hotline12345?authSource=hotline12345',
        MONGODB_PASSWORD_FILE: '/run/secrets/db',
        REDIS_URL: 'redis://redis:6379',
        REDIS_PASSWORD_FILE: '/run/secrets/redis',
      },
      readFile,
    );
    const mongo = new URL(sut.mongodb.uri);
    expect(mongo.username).toBe('hotline');
    expect(decodeURIComponent(mongo.password)).toBe('p@ss/word:1');
    expect(mongo.host).toBe('mongodb:27017');
    expect(mongo.searchParams.get('authSource')).toBe('hotline12345');
    expect(decodeURIComponent(new URL(sut.redis!.url).password)).toBe('r3dis');
  });

  it('a missing file, both forms set, or a password without a user → each named, contents never shown', () => {
    const problems = problemsOf({
      JWT_SECRET_FILE: '/run/secrets/missing',
      ARI_PASSWORD: 'inline-password',
      ARI_PASSWORD_FILE: '/run/secrets/db',
      MONGODB_PASSWORD_FILE: '/run/secrets/db',
      REDIS_PASSWORD: 'x',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'JWT_SECRET_FILE: cannot read /run/secrets/missing (ENOENT)',
        'ARI_PASSWORD_FILE: set ARI_PASSWORD or ARI_PASSWORD_FILE, not both',
        'MONGODB_PASSWORD: MONGODB_URI must name the user (mongodb://USER@host/db)',
        'REDIS_PASSWORD: set REDIS_URL too',
      ]),
    );
    expect(problems.join('\n')).not.toContain('p@ss');
  });
});
