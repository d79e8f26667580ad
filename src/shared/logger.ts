/**
 * The logging port. Adapters and use cases log through this interface; the winston adapter implements it.
 * Messages are stable lowercase phrases; ids (callId, agentId, orderId, …) go in fields, never in the message.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line (e.g. `{ callId }` once per call). */
  child(fields: LogFields): Logger;
}

/** A logger that drops everything: for unit tests of code that logs. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
