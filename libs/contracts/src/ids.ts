/** Prefix letter of each kind of id: s-… sweeps, r-… runs, b-… CAM batches, e-… CAM evaluations. */
export const ID_KINDS = { sweep: 's', run: 'r', camBatch: 'b', camEvaluation: 'e' } as const;
export type IdKind = keyof typeof ID_KINDS;

/** Ids are a kind letter, '-', 12 hex digits: safe as BullMQ job ids, Redis keys and folder names. */
export const ID_PATTERN = /^[srbe]-[0-9a-f]{12}$/;

export function newId(kind: IdKind): string {
  // Web Crypto: the same global in Node and browsers.
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `${ID_KINDS[kind]}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** True when `id` is a well-formed id of `kind`. */
export function isId(id: string, kind: IdKind): boolean {
  return ID_PATTERN.test(id) && id.startsWith(`${ID_KINDS[kind]}-`);
}
