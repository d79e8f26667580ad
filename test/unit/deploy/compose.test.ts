/**
 * Static checks of the production deployment (no Docker engine needed): docker-compose.yml as
 * docker-compose itself resolves it with .env.example, and the app's Dockerfile.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, SECRET_VARIABLES, loadConfig } from '../../../src/config/config';
import { shutdownBoundMs } from '../../../src/main';
import { writableVolumeProblems, type ComposeService } from './deployment-checks';

const ROOT = resolve(__dirname, '../../..');
const read = (file: string): string => readFileSync(resolve(ROOT, file), 'utf8');

interface Compose {
  services: Record<string, ComposeService>;
  networks?: Record<string, { ipam?: { config?: { gateway?: string }[] } }>;
  secrets?: Record<string, unknown>;
}

/** The compose file as docker-compose resolves it (interpolation from .env.example). */
const resolved = parse(
  execFileSync('docker-compose', ['--env-file', '.env.example', '-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8' }),
) as Compose;
/** The file as written (to see which values come from .env). */
const raw = parse(read('docker-compose.yml')) as Compose;

const envOf = (svc: ComposeService): Record<string, string> =>
  Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
const networksOf = (svc: ComposeService): string[] => (Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {}));
const durationSeconds = (d: string): number => {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m) throw new Error(`unparsed duration ${d}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
};

/** Variables the topology fixes: the compose file sets them, .env does not. */
const FIXED_BY_COMPOSE = ['NODE_ENV', 'HTTP_HOST', 'MONGODB_URI', 'REDIS_URL', 'ARI_URL', 'SPOOL_DIR'];

describe('docker-compose.yml topology', () => {
  const app = resolved.services['app']!;

  it('every service has a health check, and every dependency waits for health', () => {
    for (const [name, svc] of Object.entries(resolved.services)) {
      expect({ name, test: svc.healthcheck?.test }).toEqual({ name, test: expect.any(Array) });
      expect(svc.healthcheck?.disable).not.toBe(true);
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        expect({ name, dep, condition: cond.condition }).toEqual({ name, dep, condition: 'service_healthy' });
      }
    }
    expect(Object.keys(app.depends_on ?? {}).sort()).toEqual(['asterisk', 'mongodb', 'redis']);
  });

  it('the app is checked through /readyz and is given longer to stop than its own bound on a stop', () => {
    expect(app.healthcheck!.test.join(' ')).toContain('/readyz');
    const config = loadConfig(envOf(app), () => 'secret-from-file-0123456789-0123456789');
    expect(durationSeconds(app.stop_grace_period!)).toBeGreaterThan(shutdownBoundMs(config) / 1000);
  });

  it('every host the app connects to is a service on a shared network, or ARI bound on that network’s gateway', () => {
    const env = envOf(app);
    // The URLs the app will use, through its own configuration code (secret files stand in).
    const config = loadConfig(env, () => 'secret-from-file-0123456789-0123456789');
    const targets = [new URL(config.mongodb.uri), new URL(config.redis!.url), new URL(config.ari.url)];
    const appNetworks = networksOf(app);
    const extraHosts = new Map(
      (app.extra_hosts ?? []).map((h) => {
        const i = h.indexOf(':');
        return [h.slice(0, i), h.slice(i + 1)] as const;
      }),
    );
    for (const target of targets) {
      const host = target.hostname;
      const port = target.port;
      const service = resolved.services[host];
      if (extraHosts.has(host)) {
        // A host-networked service reached over the gateway of one of the app's networks, bound there.
        const ip = extraHosts.get(host)!;
        const gateways = appNetworks.flatMap((n) => (resolved.networks?.[n]?.ipam?.config ?? []).map((c) => c.gateway));
        expect({ host, ip, gateways }).toEqual({ host, ip, gateways: expect.arrayContaining([ip]) });
        const binders = Object.entries(resolved.services).filter(
          ([, s]) => s.network_mode === 'host' && Object.values(envOf(s)).includes(ip) && Object.values(envOf(s)).includes(port),
        );
        expect({ host, binders: binders.map(([n]) => n) }).toEqual({ host, binders: [expect.any(String)] });
      } else {
        expect({ host, isService: service !== undefined }).toEqual({ host, isService: true });
        const shared = networksOf(service!).filter((n) => appNetworks.includes(n));
        expect({ host, shared }).toEqual({ host, shared: [expect.any(String)] });
      }
    }
  });

  it('Prometheus scrapes the app on a shared network with the scrape token the app reads', () => {
    const prom = parse(read('docker/prometheus/prometheus.yml')) as {
      scrape_configs: { static_configs: { targets: string[] }[]; authorization: { credentials_file: string } }[];
    };
    const job = prom.scrape_configs[0]!;
    const [host, port] = job.static_configs[0]!.targets[0]!.split(':');
    expect(host).toBe('app');
    expect(port).toBe(envOf(app)['HTTP_PORT']);
    expect(networksOf(resolved.services['prometheus']!).filter((n) => networksOf(app).includes(n))).toHaveLength(1);
    expect(job.authorization.credentials_file).toBe(envOf(app)['METRICS_SCRAPE_TOKEN_FILE']);
    expect(resolved.services['prometheus']!.secrets?.map((s) => (typeof s === 'string' ? s : s.source))).toContain('metrics_scrape_token');
  });

  it('MongoDB and Redis require passwords, publish no port, and the app signs in to both', () => {
    for (const name of ['mongodb', 'redis']) expect({ name, ports: resolved.services[name]!.ports }).toEqual({ name, ports: undefined });
    expect(envOf(resolved.services['mongodb']!)['MONGO_INITDB_ROOT_PASSWORD_FILE']).toMatch(/^\/run\/secrets\//);
    expect(read('docker/mongodb-init/create-app-user.js')).toContain("createUser({ user: 'hotline'");
    expect(JSON.stringify(resolved.services['redis']!.command)).toContain('requirepass');
    const env = envOf(app);
    expect(new URL(env['MONGODB_URI']!).username).toBe('hotline');
    expect(env['MONGODB_PASSWORD_FILE']).toBeTruthy();
    expect(env['REDIS_PASSWORD_FILE']).toBeTruthy();
  });

  it('every secret file a service names is a secret mounted into that service', () => {
    for (const [name, svc] of Object.entries(resolved.services)) {
      const mounted = (svc.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
      for (const [key, value] of Object.entries(envOf(svc))) {
        const m = /^\/run\/secrets\/(.+)$/.exec(value);
        if (!m) continue;
        expect({ name, key, secret: m[1], mounted: mounted.includes(m[1]!) }).toEqual({ name, key, secret: m[1], mounted: true });
        expect(Object.keys(resolved.secrets ?? {})).toContain(m[1]);
      }
    }
  });
});

describe('configuration passed to the app', () => {
  const rawEnv = envOf(raw.services['app']!);
  const example = read('.env.example');
  const mentioned = (v: string): boolean => new RegExp(`^#?\\s*${v}=`, 'm').test(example);

  it('every configuration variable is set by compose: from .env, from a secret file, or fixed by the topology', () => {
    const missing = CONFIG_VARIABLES.filter((v) => {
      if (FIXED_BY_COMPOSE.includes(v)) return rawEnv[v] === undefined || rawEnv[v]!.includes('${');
      if (rawEnv[`${v}_FILE`] !== undefined) return !(SECRET_VARIABLES as readonly string[]).includes(v);
      return !(rawEnv[v] ?? '').startsWith(`\${${v}`);
    });
    expect(missing).toEqual([]);
    // Nothing the app does not read (a misspelt name would be silently ignored).
    const unknown = Object.keys(rawEnv).filter((k) => !CONFIG_VARIABLES.includes(k.replace(/_FILE$/, '')));
    expect(unknown).toEqual([]);
  });

  it('.env.example documents every variable .env can set, and none that compose fixes or reads from a file', () => {
    const settable = CONFIG_VARIABLES.filter((v) => !FIXED_BY_COMPOSE.includes(v) && rawEnv[`${v}_FILE`] === undefined);
    expect(settable.filter((v) => !mentioned(v))).toEqual([]);
    const notSettable = CONFIG_VARIABLES.filter((v) => !settable.includes(v));
    expect(notSettable.filter((v) => new RegExp(`^${v}=`, 'm').test(example))).toEqual([]);
  });
});

describe('volumes the app writes', () => {
  const service = resolved.services['app']!;
  const dockerfile = read(raw.services['app']!.build!.dockerfile!);

  it('each writable volume of the app exists in the image and belongs to the image’s user', () => {
    expect(writableVolumeProblems(service, dockerfile)).toEqual([]);
    expect(envOf(service)['SPOOL_DIR']).toBe('/spool');
    expect((service.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target))).toContain('/spool');
  });

  it('the check fails on a directory the image does not create, or does not give its user', () => {
    const before = dockerfile.replace(/^RUN mkdir -p \/spool && chown node:node \/spool$/m, '');
    expect(before).not.toBe(dockerfile);
    expect(writableVolumeProblems(service, before)).toEqual(['/spool: not created in the image (owner would be root, user is node)']);
    const rootOwned = dockerfile.replace('chown node:node /spool', 'chmod 755 /spool');
    expect(writableVolumeProblems(service, rootOwned)).toEqual(['/spool: not owned by node in the image']);
    const bind = { ...service, volumes: [{ type: 'bind', source: '/srv/spool', target: '/spool' }] };
    expect(writableVolumeProblems(bind, dockerfile)).toEqual(['/spool: a bind mount (its owner is the host’s): use a named volume']);
  });
});

describe('Node version', () => {
  it('the image, package.json engines and the tests (scripts/node-lts.sh) use one Node major version', () => {
    const stages = [...read('docker/app.Dockerfile').matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    expect(stages).toHaveLength(2);
    const major = stages[0]!;
    expect(stages[1]).toBe(major);
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${major}`);
    expect(/^NODE_VERSION=(\d+)\./m.exec(read('scripts/node-lts.sh'))?.[1]).toBe(major);
    expect(read('scripts/test.sh')).toContain('PATH="$(scripts/node-lts.sh):$PATH"');
  });
});
