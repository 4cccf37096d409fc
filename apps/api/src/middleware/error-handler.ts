import type { ErrorRequestHandler } from 'express';
import { ArtifactNotFoundError, ArtifactStoreUnavailableError, InvalidArtifactKeyError } from '@cam/storage';
import { HttpError } from '../errors.js';

/** body-parser's error types and the HTTP error each maps to. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: string }> = {
  'entity.parse.failed': { status: 400, code: 'malformed_json' },
  'entity.too.large': { status: 413, code: 'payload_too_large' },
  'encoding.unsupported': { status: 415, code: 'unsupported_media_type' },
  'charset.unsupported': { status: 415, code: 'unsupported_media_type' },
  'request.aborted': { status: 400, code: 'request_aborted' },
};

/** Errors ioredis raises while the connection is down or commands time out. */
function isRedisUnavailable(error: Error): boolean {
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|ECONNREFUSED|ETIMEDOUT|Stream isn't writeable|enableOfflineQueue/.test(
      error.message,
    )
  );
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof InvalidArtifactKeyError) return new HttpError(400, 'invalid_name', error.message);
  if (error instanceof ArtifactNotFoundError) return new HttpError(404, 'not_found', error.message);
  // Its message names the store's location and the cause, never credentials.
  if (error instanceof ArtifactStoreUnavailableError)
    return new HttpError(503, 'service_unavailable', error.message);
  const parserError = (error as { type?: string }).type;
  const mapped = parserError === undefined ? undefined : BODY_PARSER_ERRORS[parserError];
  if (mapped !== undefined) return new HttpError(mapped.status, mapped.code, (error as Error).message);
  // Other client errors raised by Express and body-parser (e.g. an undecodable URL parameter) carry a 4xx status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', (error as Error).message);
  }
  if (error instanceof Error && isRedisUnavailable(error)) {
    return new HttpError(503, 'service_unavailable', `Redis is unreachable: ${error.message}`);
  }
  return new HttpError(500, 'internal', 'internal error');
}

/** The one place errors become HTTP responses: `{"error":{"code","message","details"}}`. */
export const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  const http = toHttpError(error);
  if (http.status >= 500 && http.status !== 503) console.error(error);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(http.status).json({ error: { code: http.code, message: http.message, details: http.details } });
};
