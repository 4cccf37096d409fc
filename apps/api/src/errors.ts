import type { z } from 'zod';

/** An error that maps to one HTTP status and a stable machine-readable code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'not_found', `${what} ${id} not found`, { id });

export const badRequest = (field: string, message: string) =>
  new HttpError(400, 'invalid_request', `${field}: ${message}`, { issues: [{ path: field, message }] });

export const serviceUnavailable = (message = 'Redis is unreachable') =>
  new HttpError(503, 'service_unavailable', message);

/**
 * Parses client input: a failure is a 400 naming the first invalid field, with every issue in details.
 * (Only client input goes through here: a schema failure on stored data stays a server error.)
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  const message = first === undefined ? 'invalid request' : `${first.path || '(body)'}: ${first.message}`;
  throw new HttpError(400, 'invalid_request', message, { issues });
}
