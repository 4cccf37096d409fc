/** The dashboard's pages, addressed by the URL's hash so that the API serves one static index.html. */
export type Route =
  | { page: 'sweeps'; offset: number }
  | { page: 'sweep'; id: string }
  | { page: 'run'; id: string }
  | { page: 'cam-batch'; id: string; compare: string[] }
  | { page: 'not-found'; hash: string };

/** The route a location hash (`#/sweeps/s-…`) names. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'sweeps')) {
    const offset = Number(params.get('offset') ?? 0);
    return { page: 'sweeps', offset: Number.isInteger(offset) && offset > 0 ? offset : 0 };
  }
  const [kind, id] = parts;
  if (parts.length === 2 && id !== undefined) {
    if (kind === 'sweeps') return { page: 'sweep', id };
    if (kind === 'runs') return { page: 'run', id };
    if (kind === 'cam-batches') {
      const compare = (params.get('compare') ?? '').split(',').filter(Boolean);
      return { page: 'cam-batch', id, compare };
    }
  }
  return { page: 'not-found', hash };
}

/** The hash link of a route (the inverse of parseRoute). */
export function href(route: Route): string {
  switch (route.page) {
    case 'sweeps':
      return route.offset > 0 ? `#/sweeps?offset=${route.offset}` : '#/';
    case 'sweep':
      return `#/sweeps/${encodeURIComponent(route.id)}`;
    case 'run':
      return `#/runs/${encodeURIComponent(route.id)}`;
    case 'cam-batch': {
      const base = `#/cam-batches/${encodeURIComponent(route.id)}`;
      return route.compare.length > 0 ? `${base}?compare=${route.compare.join(',')}` : base;
    }
    case 'not-found':
      return route.hash;
  }
}
