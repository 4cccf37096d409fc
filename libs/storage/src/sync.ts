import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactStore } from './artifact-store.js';
import { validateArtifactKey } from './keys.js';

/**
 * Copies every object under `prefix` into the local folder `dir` (same relative paths).
 * @returns the relative paths written
 */
export async function downloadPrefix(store: ArtifactStore, prefix: string, dir: string): Promise<string[]> {
  const base = validateArtifactKey(prefix, { prefix: true });
  const names: string[] = [];
  for (const key of await store.list(base)) {
    const name = base === '' ? key : key.slice(base.length + 1);
    const file = path.join(dir, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await store.get(key));
    names.push(name);
  }
  return names;
}

/**
 * Puts every file under the local folder `dir` to `prefix/<relative path>`, skipping paths for which `skip`
 * answers true; the names in `last` go last, in that order (commit points: a reader that sees them sees
 * everything they refer to).
 * @returns the relative paths put
 */
export async function uploadFolder(
  store: ArtifactStore,
  dir: string,
  prefix: string,
  opts: { last?: string[]; skip?: (name: string) => boolean } = {},
): Promise<string[]> {
  const base = validateArtifactKey(prefix, { prefix: true });
  const last = opts.last ?? [];
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((name) => !opts.skip?.(name));
  const ordered = [
    ...names.filter((name) => !last.includes(name)).sort(),
    ...last.filter((name) => names.includes(name)),
  ];
  for (const name of ordered)
    await store.putFile(base === '' ? name : `${base}/${name}`, path.join(dir, ...name.split('/')));
  return ordered;
}
