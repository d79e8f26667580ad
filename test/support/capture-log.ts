/** A logger that keeps an app's log lines (info and above) as objects, for tests that read what an instance did. */
import type { Logger, LogFields } from '../../src/shared/logger';

export function capturingLogger(lines: LogFields[], base: LogFields = {}): Logger {
  const write = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, ...base, ...fields });
  };
  return { debug: () => undefined, info: write('info'), warn: write('warn'), error: write('error'), child: (f) => capturingLogger(lines, { ...base, ...f }) };
}
