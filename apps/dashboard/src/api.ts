import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiClient, ApiError } from '@cam/contracts';

const TOKEN_KEY = 'cam-dashboard-token';

/** The one client of the page: same origin as the API that serves it. */
export const client = new ApiClient(location.origin, { token: localStorage.getItem(TOKEN_KEY) ?? undefined });

/** Whether the API asked for a token (a 401) that the user has not given yet; pages re-load on change. */
let auth = { needsToken: false, version: 0 };
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

/** Call with any error of an API call: a 401 makes the app ask for the token once. */
export function noteError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401 && !auth.needsToken) {
    auth = { ...auth, needsToken: true };
    notify();
  }
}

/** Stores the token (this browser only) and re-runs the pages' requests with it. */
export function setToken(token: string): void {
  client.token = token;
  localStorage.setItem(TOKEN_KEY, token);
  auth = { needsToken: false, version: auth.version + 1 };
  notify();
}

export function useAuth() {
  const [, rerender] = useState(0);
  useEffect(() => {
    const listener = () => rerender((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return auth;
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  reload: () => void;
}

/** Runs `load` when `deps` (or the token) change; the latest answer wins. */
export function useApi<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const { version } = useAuth();
  const [state, setState] = useState<{ data?: T; error?: Error }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ data }),
      (error: Error) => {
        noteError(error);
        if (current) setState((s) => ({ data: s.data, error }));
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, version, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, reload };
}

/**
 * Follows an event stream: `open(signal)` yields values until the stream ends; each is handed to `onValue`.
 * Re-opened when `deps` or the token change, closed on unmount.
 */
export function useStream<T>(
  open: (signal: AbortSignal) => AsyncGenerator<T>,
  onValue: (value: T) => void,
  deps: unknown[],
): Error | undefined {
  const { version } = useAuth();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    const controller = new AbortController();
    setError(undefined);
    void (async () => {
      try {
        for await (const value of open(controller.signal)) onValue(value);
      } catch (err) {
        if (controller.signal.aborted) return;
        noteError(err);
        setError(err as Error);
      }
    })();
    return () => controller.abort();
  }, [...deps, version]);
  return error;
}

/** An object URL of the file at `url` (fetched with the token; an <img src> could not send it). */
export function useFileUrl(url: string | null, type: string): string | undefined {
  const { version } = useAuth();
  const [objectUrl, setObjectUrl] = useState<string>();
  useEffect(() => {
    if (url === null) return;
    let created: string | undefined;
    let current = true;
    client.download(url).then(
      (bytes) => {
        if (!current) return;
        created = URL.createObjectURL(new Blob([bytes], { type }));
        setObjectUrl(created);
      },
      (error: unknown) => noteError(error),
    );
    return () => {
      current = false;
      if (created !== undefined) URL.revokeObjectURL(created);
    };
  }, [url, type, version]);
  return objectUrl;
}

/** The operations the API's OpenAPI document lists ("post /v1/runs/{id}/cancel"), to offer only those. */
export function useOperations(): Set<string> {
  const { data } = useApi(async () => {
    const doc = (await (await client.request('GET', '/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    return new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method} ${path}`),
      ),
    );
  }, []);
  return data ?? new Set();
}
