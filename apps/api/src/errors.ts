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

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} ${id} not found`, { id });

export const badRequest = (field: string, message: string) =>
  new HttpError(400, 'invalid_request', `${field}: ${message}`, { issues: [{ path: field, message }] });

export const serviceUnavailable = (message = 'Redis is unreachable') =>
  new HttpError(503, 'service_unavailable', message);
