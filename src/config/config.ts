/**
 * Configuration from environment variables: the only module that reads process.env.
 *
 * Every variable is validated at start; all problems are reported at once, each with the variable
 * named, and the process does not start with a bad configuration. Defaults suit the local lab
 * (scripts/lab.sh): loopback Asterisk, FerretDB and Redis. Lab mode is explicit: NODE_ENV must be
 * set, and only `development` or `test` fall back to the lab's secrets. In production the secrets
 * are required and the lab's values, every placeholder of `.env.example` and anything containing
 * `change-me` are refused.
 */
import { readFileSync } from 'node:fs';
import cron from 'node-cron';
import { z } from 'zod';
import { parseSmsHours, type SmsHours } from '../domain/sms';
import { DEFAULT_CALL_PATH_SETTINGS } from '../domain/call/call.settings';

const LAB_ARI_PASSWORD = 'hotline-lab-secret';
const LAB_JWT_SECRET = 'hotline-lab-jwt-secret-change-me-in-production';

/**
 * Values a deployment must never run with: the lab's secrets and the placeholders of `.env.example`
 * (which all contain `change-me`, refused on its own as well).
 */
const PLACEHOLDER_SECRETS = new Set([
  LAB_ARI_PASSWORD,
  LAB_JWT_SECRET,
  'change-me-ari-password',
  'change-me-agent-sip-password',
  'change-me-to-at-least-32-random-characters',
  'change-me-admin-password',
]);

function isPlaceholder(value: string): boolean {
  return PLACEHOLDER_SECRETS.has(value) || /change-?me/i.test(value);
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const cronExpression = z.string().refine((v) => cron.validate(v), { message: 'must be a cron expression (5 fields, or 6 with seconds first)' });

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

/** The call path's defaults are the domain's: one default per setting. */
const CALL = DEFAULT_CALL_PATH_SETTINGS;

const schema = z.object({
  /** Required: `development` / `test` is lab mode (lab secrets as defaults), `production` is not. */
  NODE_ENV: z.enum(['development', 'test', 'production'], {
    error: 'required: development or test for the lab (lab secrets as defaults), production for a deployment',
  }),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),

  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: int(0, 65535).default(3000),

  MONGODB_URI: url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017/hotline12345'),
  /** Put into MONGODB_URI (whose user name it completes), so the URI itself holds no secret. */
  MONGODB_PASSWORD: z.string().min(1).optional(),

  ARI_URL: url(['http:', 'https:']).default('http://127.0.0.1:8088'),
  ARI_USERNAME: z.string().min(1).default('hotline'),
  ARI_PASSWORD: z.string().min(8).optional(),
  ARI_APP: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('hotline'),
  /** Cap on concurrent HTTP sockets to ARI: Asterisk refuses requests past its session limit. */
  ARI_MAX_SOCKETS: int(4, 1000).default(64),
  /** Longest wait for one ARI request: past it the request counts as failed (ari-client has no limit). */
  ARI_REQUEST_TIMEOUT_MS: int(100, 120000).default(5000),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Login rate limit: failed sign-ins (401) counted per window, per (username, address) and per address. */
  LOGIN_FAILURE_WINDOW_MS: int(1000, 86_400_000).default(900_000),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 10_000).default(10),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int(1, 1_000_000).default(100),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  /** Put into REDIS_URL (Redis `requirepass`), so the URL itself holds no secret. */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** Created at start when the deployment has no administrator yet. */
  BOOTSTRAP_ADMIN_USERNAME: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, '3-64 letters, digits, _ . -').optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** Bearer token Prometheus may use for GET /metrics instead of an administrator's login. */
  METRICS_SCRAPE_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Browser origins allowed to open Socket.IO connections (comma-separated); none by default. */
  CORS_ORIGINS: z.string().optional(),
  BREAK_REASONS: z
    .string()
    .default('休息,用餐,培训,会议,其他')
    .refine((v) => v.split(',').every((r) => r.trim().length > 0 && r.trim().length <= 20), 'comma-separated reasons of 1–20 characters'),


  /** Where call events wait on disk while the database is unreachable. */
  SPOOL_DIR: z.string().min(1).default('.lab/spool'),

  /** Periodic work (each run through the Background helper; a failed tick is retried at the next). */
  SPOOL_FLUSH_INTERVAL_MS: int(100, 600_000).default(1000),
  AGENT_CLAIM_RENEW_MS: int(100, 30_000).default(15_000),
  WORK_ORDER_SWEEP_CRON: cronExpression.default('*/1 * * * *'),
  WORK_ORDER_FOLD_CRON: cronExpression.default('*/30 * * * * *'),
  WORK_ORDER_REPORT_CRON: cronExpression.default('10 1 * * *'),

  RING_TIMEOUT_MS: int(1000, 120000).default(CALL.ringTimeoutMs),
  /** Automated callback survey (回访): survey calls at once at most (the trunk's other channels stay for inbound calls). */
  SURVEY_MAX_CALLS: int(1, 1000).default(4),
  /** The number a surveyed citizen sees. */
  SURVEY_CALLER_ID: z.string().regex(/^[0-9+]{3,20}$/, 'digits').default('12345'),
  /** Seconds a survey call rings before it counts as not answered. */
  SURVEY_RING_SECONDS: int(5, 120).default(30),
  WRAPUP_MS: int(0, 3600000).default(CALL.wrapUpMs),
  /**
   * The trunk's RTP timeout in Asterisk (seconds; asterisk-config TRUNK_RTP_TIMEOUT, the same
   * value): a caller leg Asterisk ends for lack of audio is counted to this long before the end.
   */
  TRUNK_RTP_TIMEOUT: int(0, 3600).default(60),
  /**
   * Agents' phones put into Asterisk by the directory take the same values as the rendered ones
   * (asterisk-config AGENT_RTP_TIMEOUT, AGENT_QUALIFY_SEC): seconds without audio before a phone's
   * leg is ended, seconds between OPTIONS to a phone (0 = off).
   */
  AGENT_RTP_TIMEOUT: int(0, 3600).default(60),
  AGENT_QUALIFY_SEC: int(0, 3600).default(5),
  /** Longest a graceful stop waits for calls to end, and longest each later step of the stop may take (ms). */
  SHUTDOWN_DRAIN_MS: int(0, 3600000).default(30000),
  SHUTDOWN_STEP_MS: int(100, 60000).default(5000),
  /**
   * What a stop does with the calls still up after the drain: `end` them (caller and agent hung up,
   * records closed), or `hand-over`: leave them in Asterisk for the next instance, which takes them
   * over (a deploy that cuts no call).
   */
  SHUTDOWN_LIVE_CALLS: z.enum(['end', 'hand-over']).default('end'),
  MAX_QUEUE_WAIT_MS: int(5000, 3600000).default(CALL.maxQueueWaitMs),
  RATING_TIMEOUT_MS: int(1000, 60000).default(CALL.rating.timeoutMs),
  RATING_SCALE: z.enum(['2', '5']).default('2'),
  ACD_STRATEGY: z.enum(['longest-idle', 'round-robin']).default(CALL.strategy),
  RECORD_CALLS: bool.default(CALL.recordCalls),
  /** What a waiting caller hears while an agent's phone rings: a ringing tone, or the hold music going on. */
  RINGING_TONE: z.enum(['ringback', 'moh']).default(CALL.ringingTone),
  /** `database` when several app instances run call paths over the same agents (claims in the database). */
  AGENT_CLAIMS: z.enum(['none', 'database']).default('none'),
  NOT_READY_AFTER_MISSES: int(1, 100).default(CALL.missedRing.maxConsecutiveMisses),
  REFUSED_RETRY_MS: int(0, 600000).default(CALL.refusedRetryMs),
  MAX_REFUSED_RINGS: int(0, 100).default(CALL.maxRefusedRings),
  /** Evidence files of work orders: largest file, and all files of one order together (bytes, count). */
  ATTACHMENT_MAX_FILE_BYTES: int(1024, 2_147_483_647).default(20 * 1024 * 1024),
  ATTACHMENT_MAX_ORDER_BYTES: int(1024, 2 ** 40).default(200 * 1024 * 1024),
  ATTACHMENT_MAX_ORDER_FILES: int(1, 10_000).default(50),
  /** Keep photos' EXIF (GPS location included) as uploaded; by default it is removed. */
  ATTACHMENT_KEEP_IMAGE_METADATA: bool.default(false),
  /**
   * One-key emergency transfer: the number dialled through the trunk per line, as line=number pairs
   * ("110=110,119=119,120=120,122=122" is the default; a line not listed dials its own number).
   */
  EMERGENCY_NUMBERS: z
    .string()
    .regex(/^(110|119|120|122)=[0-9+]{3,20}(,(110|119|120|122)=[0-9+]{3,20})*$/, 'line=number pairs for 110/119/120/122, e.g. 110=110,120=0433120')
    .optional(),
  /** The PJSIP endpoint (trunk) emergency transfers leave through. */
  EMERGENCY_TRUNK: z.string().regex(/^[A-Za-z0-9_-]+$/, 'a PJSIP endpoint name').default(CALL.emergency.trunk),
  /** Seconds an emergency line (or a unit's number, on a transfer or three-way call) may ring before the caller goes back to the agent. */
  EMERGENCY_RING_SECONDS: int(5, 120).default(CALL.emergency.ringTimeoutMs / 1000),
  /** After the agent left a three-way call (三方通话) or transferred the caller to a unit, ask the caller to rate the agent if the caller stays to the end. */
  RATE_AFTER_THREE_WAY: bool.default(CALL.rateAfterThreeWay),
  /** Days after an order closed until its evidence files are deleted (audited); 0 = kept for good. */
  ATTACHMENT_RETENTION_DAYS: int(0, 36_500).default(0),
  /** When the retention job runs (Asia/Shanghai time). */
  ATTACHMENT_RETENTION_CRON: cronExpression.default('20 2 * * *'),
  /** Days after a call until its recording is deleted (audited); the regulations keep call records at least 3 years; 0 = kept for good. */
  RECORDING_RETENTION_DAYS: int(0, 36_500).default(1096),
  /** When the recordings' retention job runs (Asia/Shanghai time). */
  RECORDING_RETENTION_CRON: cronExpression.default('40 2 * * *'),
  /**
   * Days after a call until the citizen's number and name leave its record, its events, the caller
   * index and its callback request (the times, outcome and agent stay for the reports); the regulations
   * keep call records at least 3 years; 0 = kept for good (ADR 0025).
   */
  PERSONAL_DATA_RETENTION_DAYS: int(0, 36_500).default(1096),
  /** When the personal-data retention job runs (Asia/Shanghai time). */
  PERSONAL_DATA_RETENTION_CRON: cronExpression.default('0 3 * * *'),
  /** Seconds each leg of an agent's callback (回拨: the agent's phone, then the citizen's) rings before it counts as not answered. */
  CALLBACK_RING_SECONDS: int(5, 120).default(30),
  /**
   * Text messages to citizens over SMPP: the operator's gateway as smpp://host:port (or ssmpp:// for
   * TLS); unset = no SMS is queued or sent. SMS_SMPP_PASSWORD is a secret (or SMS_SMPP_PASSWORD_FILE).
   */
  SMS_SMPP_URL: url(['smpp:', 'ssmpp:']).optional(),
  SMS_SMPP_SYSTEM_ID: z.string().min(1).max(15).optional(),
  SMS_SMPP_PASSWORD: z.string().min(1).max(8, 'SMPP 3.4 passwords have at most 8 characters').optional(),
  /** The sender citizens see (the hotline's number or the operator-assigned long number). */
  SMS_SOURCE_ADDR: z.string().regex(/^[0-9+]{3,21}$/, 'digits').default('12345'),
  /** How messages are signed: 【name】. */
  SMS_HOTLINE_NAME: z.string().trim().min(1).max(20).default('12345热线'),
  /** Sending hours on Beijing time (no SMS at night): HH:MM-HH:MM within one day. */
  SMS_HOURS: z.string().refine((v) => parseSmsHours(v) !== null, { message: 'HH:MM-HH:MM, from before to, within one day' }).default('08:00-21:00'),
  /** Submissions of one message at most; the wait after the first failure, doubled each time up to the maximum. */
  SMS_MAX_ATTEMPTS: int(1, 100).default(6),
  SMS_RETRY_BASE_MS: int(100, 86_400_000).default(30_000),
  SMS_RETRY_MAX_MS: int(100, 86_400_000).default(1_800_000),
  /** Messages submitted per minute at most by one instance (the gateway's contracted rate). */
  SMS_MAX_PER_MINUTE: int(1, 100_000).default(600),
  /** Longest wait for the gateway's connection and bind, and for its answer to one message. */
  SMS_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /** Keypad menu after the greeting, as digit=queue pairs ("1=general,2=tax"); unset = no menu. */
  MENU_OPTIONS: z
    .string()
    .regex(/^[0-9*#]=[A-Za-z0-9_-]+(,[0-9*#]=[A-Za-z0-9_-]+)*$/, 'digit=queue pairs separated by commas, e.g. 1=general,2=tax')
    .optional(),
});

export type RawEnv = Record<string, string | undefined>;

/** Every variable the app reads (deployment files are checked against this list). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/**
 * Secret-bearing variables: each may instead be read from a file named by VAR_FILE (Docker secrets),
 * and is checked against the placeholders in production.
 */
export const SECRET_VARIABLES = [
  'ARI_PASSWORD',
  'JWT_SECRET',
  'MONGODB_PASSWORD',
  'REDIS_PASSWORD',
  'BOOTSTRAP_ADMIN_PASSWORD',
  'METRICS_SCRAPE_TOKEN',
  'SMS_SMPP_PASSWORD',
] as const;

/**
 * Resolves VAR_FILE into VAR for the secret variables: the file's content without its trailing
 * newline. Setting both is an error (which one wins would be a guess); so is an unreadable file.
 */
function readSecretFiles(env: RawEnv, readFile: (path: string) => string, problems: string[]): RawEnv {
  const out: RawEnv = { ...env };
  for (const name of SECRET_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    if (env[name]) {
      problems.push(`${name}_FILE: set ${name} or ${name}_FILE, not both`);
      continue;
    }
    try {
      out[name] = readFile(path).replace(/\r?\n$/, '');
    } catch (err) {
      // The error's code only: never the content.
      problems.push(`${name}_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return out;
}

/** The URL with `password` set (percent-encoded); the user name comes from the URL. */
function withPassword(raw: string, password: string | undefined): string {
  if (!password) return raw;
  const u = new URL(raw);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  http: { host: string; port: number };
  mongodb: { uri: string };
  ari: { url: string; username: string; password: string; app: string; maxSockets: number; requestTimeoutMs: number };
  /** The automated callback survey's calls (its Stasis application is `<ari.app>-survey`). */
  survey: { maxCalls: number; callerId: string; ringSeconds: number };
  /** Agents' callbacks (回拨; Stasis application `<ari.app>-callback`); the citizen sees survey.callerId. */
  callbacks: { ringSeconds: number };
  /** Calls' recordings: days kept after the call (0 = for good) and when the retention job runs. */
  recordings: { retentionDays: number; retentionCron: string };
  /** Citizens' numbers and names in call data: days kept after the call (0 = for good) and when the job runs (ADR 0025). */
  personalData: { retentionDays: number; retentionCron: string };
  auth: {
    jwtSecret: string;
    /** Failed logins allowed per window: for one username from one address, and from one address in all. */
    loginRateLimit: { windowMs: number; maxFailuresPerAccount: number; maxFailuresPerAddress: number };
  };
  redis: { url: string } | null;
  bootstrapAdmin: { username: string; password: string } | null;
  metricsScrapeToken: string | null;
  corsOrigins: string[];
  /** 小休 reasons the agent console offers. */
  breakReasons: string[];
  spoolDir: string;
  /** Intervals and cron expressions of the periodic work. */
  tasks: {
    spoolFlushMs: number;
    agentClaimRenewMs: number;
    sweepCron: string;
    foldCron: string;
    reportCron: string;
  };
  attachments: { maxFileBytes: number; maxOrderBytes: number; maxOrderFiles: number; keepImageMetadata: boolean; retentionDays: number; retentionCron: string };
  /** Text messages over SMPP; null when no gateway is configured (no SMS). */
  sms: {
    host: string;
    port: number;
    tls: boolean;
    systemId: string;
    password: string;
    sourceAddr: string;
    hotlineName: string;
    hours: SmsHours;
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    maxPerMinute: number;
    timeoutMs: number;
  } | null;
  shutdown: { drainMs: number; stepMs: number; liveCalls: 'end' | 'hand-over' };
  /** Fields of the agents' phones the directory puts into Asterisk (as pjsip.conf's agent templates). */
  agentPhones: { rtpTimeoutSec: number; qualifySec: number };
  callPath: {
    ringTimeoutMs: number;
    wrapUpMs: number;
    trunkRtpTimeoutMs: number;
    maxQueueWaitMs: number;
    ratingTimeoutMs: number;
    ratingScale: 2 | 5;
    strategy: 'longest-idle' | 'round-robin';
    recordCalls: boolean;
    ringingTone: 'ringback' | 'moh';
    /** Where agent offers are claimed across app instances: nowhere (one instance) or the database. */
    agentClaims: 'none' | 'database';
    notReadyAfterMisses: number;
    refusedRetryMs: number;
    maxRefusedRings: number;
    /** Keypad menu: digit → queue id; null = no menu (the default). */
    menuOptions: Record<string, string> | null;
    /** One-key emergency transfer: line → number (lines not listed dial their own number), trunk, ring limit. */
    emergency: { numbers: Record<'110' | '119' | '120' | '122', string>; trunk: string; ringTimeoutMs: number };
    rateAfterThreeWay: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws ConfigError listing every problem (variable: reason). */
export function loadConfig(env: RawEnv, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Config {
  const problems: string[] = [];
  // Empty strings count as unset, as in most deployment tools.
  const nonEmpty = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const cleaned = Object.fromEntries(
    Object.entries(readSecretFiles(nonEmpty, readFile, problems)).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.') || '(environment)'}: ${issue.message}`);
    }
  }
  if (cleaned['NODE_ENV'] === 'production') {
    if (!cleaned['ARI_PASSWORD']) problems.push('ARI_PASSWORD: required in production');
    if (!cleaned['JWT_SECRET']) problems.push('JWT_SECRET: required in production');
    for (const name of SECRET_VARIABLES) {
      const value = cleaned[name];
      if (value !== undefined && isPlaceholder(value)) problems.push(`${name}: a lab or placeholder value (.env.example, change-me) is not allowed in production`);
    }
  }
  if (Boolean(cleaned['BOOTSTRAP_ADMIN_USERNAME']) !== Boolean(cleaned['BOOTSTRAP_ADMIN_PASSWORD'])) {
    problems.push('BOOTSTRAP_ADMIN_PASSWORD: set both BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD, or neither');
  }
  if (cleaned['MONGODB_PASSWORD'] && parsed.success && !new URL(parsed.data.MONGODB_URI).username) {
    problems.push('MONGODB_PASSWORD: MONGODB_URI must name the user (mongodb://USER@host/db)');
  }
  if (cleaned['REDIS_PASSWORD'] && !cleaned['REDIS_URL']) {
    problems.push('REDIS_PASSWORD: set REDIS_URL too');
  }
  if (cleaned['SMS_SMPP_URL'] && (!cleaned['SMS_SMPP_SYSTEM_ID'] || !cleaned['SMS_SMPP_PASSWORD'])) {
    problems.push('SMS_SMPP_SYSTEM_ID: SMS_SMPP_SYSTEM_ID and SMS_SMPP_PASSWORD are required when SMS_SMPP_URL is set');
  }
  const perAccount = schema.shape.LOGIN_MAX_FAILURES_PER_ACCOUNT.safeParse(cleaned['LOGIN_MAX_FAILURES_PER_ACCOUNT']);
  const perAddress = schema.shape.LOGIN_MAX_FAILURES_PER_ADDRESS.safeParse(cleaned['LOGIN_MAX_FAILURES_PER_ADDRESS']);
  if (perAccount.success && perAddress.success && perAddress.data < perAccount.data) {
    problems.push('LOGIN_MAX_FAILURES_PER_ADDRESS: must be at least LOGIN_MAX_FAILURES_PER_ACCOUNT (the per-address cap is the looser one)');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);

  const e = parsed.data;
  return Object.freeze({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    mongodb: { uri: withPassword(e.MONGODB_URI, e.MONGODB_PASSWORD) },
    ari: {
      url: e.ARI_URL,
      username: e.ARI_USERNAME,
      password: e.ARI_PASSWORD ?? LAB_ARI_PASSWORD,
      app: e.ARI_APP,
      maxSockets: e.ARI_MAX_SOCKETS,
      requestTimeoutMs: e.ARI_REQUEST_TIMEOUT_MS,
    },
    survey: { maxCalls: e.SURVEY_MAX_CALLS, callerId: e.SURVEY_CALLER_ID, ringSeconds: e.SURVEY_RING_SECONDS },
    callbacks: { ringSeconds: e.CALLBACK_RING_SECONDS },
    recordings: { retentionDays: e.RECORDING_RETENTION_DAYS, retentionCron: e.RECORDING_RETENTION_CRON },
    personalData: { retentionDays: e.PERSONAL_DATA_RETENTION_DAYS, retentionCron: e.PERSONAL_DATA_RETENTION_CRON },
    auth: {
      jwtSecret: e.JWT_SECRET ?? LAB_JWT_SECRET,
      loginRateLimit: {
        windowMs: e.LOGIN_FAILURE_WINDOW_MS,
        maxFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerAddress: e.LOGIN_MAX_FAILURES_PER_ADDRESS,
      },
    },
    redis: e.REDIS_URL ? { url: withPassword(e.REDIS_URL, e.REDIS_PASSWORD) } : null,
    bootstrapAdmin:
      e.BOOTSTRAP_ADMIN_USERNAME && e.BOOTSTRAP_ADMIN_PASSWORD
        ? { username: e.BOOTSTRAP_ADMIN_USERNAME, password: e.BOOTSTRAP_ADMIN_PASSWORD }
        : null,
    metricsScrapeToken: e.METRICS_SCRAPE_TOKEN ?? null,
    breakReasons: e.BREAK_REASONS.split(',').map((r) => r.trim()),
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== ''),
    spoolDir: e.SPOOL_DIR,
    tasks: {
      spoolFlushMs: e.SPOOL_FLUSH_INTERVAL_MS,
      agentClaimRenewMs: e.AGENT_CLAIM_RENEW_MS,
      sweepCron: e.WORK_ORDER_SWEEP_CRON,
      foldCron: e.WORK_ORDER_FOLD_CRON,
      reportCron: e.WORK_ORDER_REPORT_CRON,
    },
    attachments: {
      maxFileBytes: e.ATTACHMENT_MAX_FILE_BYTES,
      maxOrderBytes: e.ATTACHMENT_MAX_ORDER_BYTES,
      maxOrderFiles: e.ATTACHMENT_MAX_ORDER_FILES,
      keepImageMetadata: e.ATTACHMENT_KEEP_IMAGE_METADATA,
      retentionDays: e.ATTACHMENT_RETENTION_DAYS,
      retentionCron: e.ATTACHMENT_RETENTION_CRON,
    },
    sms: e.SMS_SMPP_URL && e.SMS_SMPP_SYSTEM_ID && e.SMS_SMPP_PASSWORD ? smsConfig(e.SMS_SMPP_URL, e.SMS_SMPP_SYSTEM_ID, e.SMS_SMPP_PASSWORD, e) : null,
    shutdown: { drainMs: e.SHUTDOWN_DRAIN_MS, stepMs: e.SHUTDOWN_STEP_MS, liveCalls: e.SHUTDOWN_LIVE_CALLS },
    agentPhones: { rtpTimeoutSec: e.AGENT_RTP_TIMEOUT, qualifySec: e.AGENT_QUALIFY_SEC },
    callPath: {
      ringTimeoutMs: e.RING_TIMEOUT_MS,
      wrapUpMs: e.WRAPUP_MS,
      trunkRtpTimeoutMs: e.TRUNK_RTP_TIMEOUT * 1000,
      maxQueueWaitMs: e.MAX_QUEUE_WAIT_MS,
      ratingTimeoutMs: e.RATING_TIMEOUT_MS,
      ratingScale: e.RATING_SCALE === '5' ? (5 as const) : (2 as const),
      strategy: e.ACD_STRATEGY,
      recordCalls: e.RECORD_CALLS,
      ringingTone: e.RINGING_TONE,
      agentClaims: e.AGENT_CLAIMS,
      notReadyAfterMisses: e.NOT_READY_AFTER_MISSES,
      refusedRetryMs: e.REFUSED_RETRY_MS,
      maxRefusedRings: e.MAX_REFUSED_RINGS,
      menuOptions: e.MENU_OPTIONS ? Object.fromEntries(e.MENU_OPTIONS.split(',').map((pair) => pair.split('=') as [string, string])) : null,
      emergency: {
        numbers: {
          ...CALL.emergency.numbers,
          ...(e.EMERGENCY_NUMBERS ? Object.fromEntries(e.EMERGENCY_NUMBERS.split(',').map((pair) => pair.split('=') as [string, string])) : {}),
        },
        trunk: e.EMERGENCY_TRUNK,
        ringTimeoutMs: e.EMERGENCY_RING_SECONDS * 1000,
      },
      rateAfterThreeWay: e.RATE_AFTER_THREE_WAY,
    },
  });
}

function smsConfig(raw: string, systemId: string, password: string, e: z.infer<typeof schema>): NonNullable<Config['sms']> {
  const u = new URL(raw);
  const tls = u.protocol === 'ssmpp:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : tls ? 3550 : 2775,
    tls,
    systemId,
    password,
    sourceAddr: e.SMS_SOURCE_ADDR,
    hotlineName: e.SMS_HOTLINE_NAME,
    hours: parseSmsHours(e.SMS_HOURS) as SmsHours,
    maxAttempts: e.SMS_MAX_ATTEMPTS,
    retryBaseMs: e.SMS_RETRY_BASE_MS,
    retryMaxMs: e.SMS_RETRY_MAX_MS,
    maxPerMinute: e.SMS_MAX_PER_MINUTE,
    timeoutMs: e.SMS_TIMEOUT_MS,
  };
}
