/**
 * winston JSON logger behind the Logger port.
 * Secrets are redacted by key name at any depth before a line is written, so a password, token,
 * SIP digest or ARI credential passed in a field never reaches the log; credentials inside any
 * string (the message, a field value, an error's message or stack: `mongodb://user:pass@host`,
 * `redis://:pass@host`) are redacted too. Callers' numbers and names are masked the same way (PIPL):
 * a log reader handles no case, so logs carry masked values only, whether or not the caller is
 * confidential (domain/access/masking.ts).
 */
import winston from 'winston';
import { maskName, maskPhone } from '../../domain/access';
import type { LogFields, Logger } from '../../shared/logger';

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|jwt|digest|credential|apikey|api_key/i;
export const REDACTED = '[redacted]';
/** Fields holding a caller's (or any citizen's) number: caller, callerNumber, callerPhone, phone, mobile, … */
const PHONE_KEY = /^(caller|callerNumber|callerPhone|callerId|phone|phoneNumber|mobile)$/i;
const PERSON_NAME_KEY = /^(callerName)$/i;
/** A mainland mobile number standing alone in any text (an error message, a database key): 11 digits, 1[3-9]…. */
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** Masks mobile numbers inside free text, whatever field or message carries them. */
export function maskMobiles(text: string): string {
  return text.replace(MOBILE, (n) => maskPhone(n));
}

/** Returns a copy of `value` with every secret-looking key's value and every URL credential replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: cleanText(value.message), stack: value.stack === undefined ? undefined : cleanText(value.stack) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(k)) out[k] = REDACTED;
    else if (typeof v === 'string' && PHONE_KEY.test(k)) out[k] = maskPhone(v);
    else if (typeof v === 'string' && PERSON_NAME_KEY.test(k)) out[k] = maskName(v);
    else out[k] = redact(v, depth + 1);
  }
  return out;
}

/** Hides credentials embedded in URLs (mongodb://user:pass@host, redis://:pass@host). */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:/@\s]*):([^@\s]+?)@/gi, `$1$2:${REDACTED}@`);
}

/** Free text as it may be logged: URL credentials redacted, mobile numbers masked. */
function cleanText(text: string): string {
  return maskMobiles(redactUrls(text));
}

const redactFormat = winston.format((info) => {
  const { level, message, ...rest } = info;
  const cleaned = redact(rest) as Record<string, unknown>;
  for (const key of Object.keys(rest)) delete (info as Record<string, unknown>)[key];
  Object.assign(info, cleaned);
  info.level = level;
  info.message = typeof message === 'string' ? cleanText(message) : message;
  return info;
});

class WinstonLogger implements Logger {
  constructor(private readonly w: winston.Logger) {}
  debug(message: string, fields?: LogFields): void {
    this.w.debug(message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.w.info(message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.w.warn(message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.w.error(message, fields);
  }
  child(fields: LogFields): Logger {
    return new WinstonLogger(this.w.child(fields));
  }
}

export interface LoggerOptions {
  level: 'error' | 'warn' | 'info' | 'debug';
  service?: string;
  /** Extra transport, e.g. a stream in tests. Defaults to stdout. */
  stream?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console();
  const w = winston.createLogger({
    level: opts.level,
    defaultMeta: { service: opts.service ?? 'hotline12345' },
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
  return new WinstonLogger(w);
}
