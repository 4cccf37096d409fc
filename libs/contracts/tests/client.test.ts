import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, EventStreamParser, newId, isId } from '../src/index.js';

describe('EventStreamParser', () => {
  it('returns events as their blank line arrives, across chunk boundaries, skipping comments', () => {
    const parser = new EventStreamParser();
    expect(parser.push('id: 1\nevent: state\nda')).toEqual([]);
    expect(parser.push('ta: {"state":"queued"}\n\n: keep-alive\n\nid: 2\r\nevent: progress\r\n')).toEqual([
      { id: '1', event: 'state', data: { state: 'queued' } },
    ]);
    expect(parser.push('data: {"epoch":1}\r\n\r\ndata: plain\ndata: text\n\n')).toEqual([
      { id: '2', event: 'progress', data: { epoch: 1 } },
      { event: 'message', data: 'plain\ntext' },
    ]);
  });
});

describe('ApiClient', () => {
  const answer = (status: number, body: unknown) => async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });

  it('sends the bearer token and JSON, and throws the error body as an ApiError with its field issues', async () => {
    const seen: { url: string; headers: Record<string, string>; body: unknown }[] = [];
    const client = new ApiClient('http://api.test', {
      token: 'secret',
      fetch: async (input, init) => {
        seen.push({
          url: String(input),
          headers: init?.headers as Record<string, string>,
          body: JSON.parse(String(init?.body)),
        });
        return answer(400, {
          error: {
            code: 'invalid_request',
            message: 'epochs: too big',
            details: { issues: [{ path: 'epochs', message: 'too big' }] },
          },
        })();
      },
    });
    const error = await client.createSweep({ name: 'x', epochs: 1000 }).catch((e: unknown) => e);
    expect(seen).toEqual([
      {
        url: 'http://api.test/v1/sweeps',
        headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
        body: { name: 'x', epochs: 1000 },
      },
    ]);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect((error as ApiError).issues).toEqual([{ path: 'epochs', message: 'too big' }]);
  });

  it('keeps a non-JSON error text as the message', async () => {
    const client = new ApiClient('http://api.test', { fetch: answer(502, 'bad gateway') });
    const error = (await client.getRun('r-000000000000').catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.code, error.message, error.issues]).toEqual([
      502,
      'http_error',
      'HTTP 502 http_error: bad gateway',
      [],
    ]);
  });
});

describe('newId', () => {
  it('makes well-formed ids of each kind with Web Crypto', () => {
    const ids = Array.from({ length: 50 }, () => newId('run'));
    expect(ids.every((id) => isId(id, 'run'))).toBe(true);
    expect(new Set(ids).size).toBe(50);
  });
});
