/**
 * Error bodies as RFC 9457 problem details (`application/problem+json`): `type` names the kind of
 * problem (a URN per error code), `title` the HTTP status's phrase, `status`, `detail` the message,
 * `instance` the request path. The project's error code stays in the `code` member, and the details
 * an error carries (`field`, `dependency`, …) are members beside it. Every error answer of the REST
 * API goes through `sendProblem`.
 */
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `urn:hotline12345:problem:<code>`: one type per error code (VALIDATION.FIELD → validation.field). */
export function problemType(code: string): string {
  return `urn:hotline12345:problem:${code.toLowerCase()}`;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  /** The project's error code (VALIDATION.FIELD, AUTH.UNAUTHENTICATED, …). */
  readonly code: string;
  readonly [member: string]: unknown;
}

export function problem(status: number, code: string, detail: string, extras: Record<string, unknown> = {}, instance?: string): Problem {
  // The standard members win over extension members of the same name.
  return { ...extras, type: problemType(code), title: STATUS_CODES[status] ?? 'Error', status, detail, ...(instance ? { instance } : {}), code };
}

/** Answers with a problem document. */
export function sendProblem(req: Request, res: Response, status: number, code: string, detail: string, extras: Record<string, unknown> = {}): void {
  res.status(status).type(PROBLEM_CONTENT_TYPE).json(problem(status, code, detail, extras, req.originalUrl.split('?')[0]));
}
