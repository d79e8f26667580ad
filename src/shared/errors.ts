/**
 * Application errors carry a stable code, an HTTP status and details.
 * The HTTP error handler is the one place that maps them to responses.
 */
export type ErrorCode =
  | 'VALIDATION.FIELD'
  | 'AUTH.UNAUTHENTICATED'
  | 'AUTH.FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT.STATE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly httpStatus: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class ValidationError extends AppError {
  constructor(readonly field: string, message: string) {
    super('VALIDATION.FIELD', message, 400, { field });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, details: Record<string, unknown> = {}) {
    super('NOT_FOUND', `${what} not found`, 404, details);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CONFLICT.STATE', message, 409, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'authentication required') {
    super('AUTH.UNAUTHENTICATED', message, 401);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'not allowed') {
    super('AUTH.FORBIDDEN', message, 403);
  }
}

export class UnavailableError extends AppError {
  constructor(what: string) {
    super('UNAVAILABLE', `${what} unavailable`, 503, { dependency: what });
  }
}

/** Exhaustiveness check for discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
