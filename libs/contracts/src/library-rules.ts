/**
 * zod refinements that call the libraries' own checks, so that a request the API accepts is one the workers
 * can do: the renderer's image size rule (@cam/cam) and the model library's architecture and validation-set
 * rules (@cam/model). The `rules` entry points of those libraries load no tfjs.
 */
import { PNG_SIZE_BYTES, pngSize, uploadedImageSizeProblem } from '@cam/cam/upload-rules';
import {
  type ArchSpec,
  ArchSpecError,
  TrainOptionsError,
  checkValidationSplit,
  validateArch,
} from '@cam/model/rules';
import { DATASET_CATALOG, datasetInputShape } from '@cam/dataset/catalog';
import type { z } from 'zod';
import { DATASET_SPLIT_SIZES, type DatasetName } from './vocabulary.js';

/** A custom architecture as a job carries it: the conv stack (the input and the classes follow from the dataset). */
export interface CustomArch {
  name?: string;
  convs: { filters: number; kernelSize: number }[];
}

/** The model library's spec of a custom architecture: the input shape and class count are the dataset's. */
export function customArchSpec(arch: CustomArch, dataset: DatasetName = 'mnist'): ArchSpec {
  return {
    name: arch.name ?? 'custom',
    inputShape: datasetInputShape(dataset),
    convs: arch.convs,
    classes: DATASET_CATALOG[dataset].classes,
  };
}

/** The model library's architecture rules (e.g. odd kernel sizes), as issues at the field it names. */
export function refineCustomArch(arch: CustomArch, ctx: z.RefinementCtx): void {
  try {
    validateArch(customArchSpec(arch));
  } catch (err) {
    if (!(err instanceof ArchSpecError)) throw err;
    // The library's path starts at 'arch'; the issue's path is relative to the architecture object.
    ctx.addIssue({ code: 'custom', path: err.path.slice(1), message: err.problem });
  }
}

/** The run parameters the validation-set rules read. */
export interface ValidationSetParams {
  dataset: DatasetName;
  trainSize: number;
  validationSplit: number;
  patience?: number;
}

/**
 * The model library's validation-set rules (patience needs a validation set; the split leaves a training image)
 * for the images a run would really load: trainSize, or the dataset's whole training split when smaller.
 */
export function refineValidationSet(params: ValidationSetParams, ctx: z.RefinementCtx): void {
  try {
    checkValidationSplit({
      validationSplit: params.validationSplit,
      patience: params.patience,
      trainCount: Math.min(params.trainSize, DATASET_SPLIT_SIZES[params.dataset].train),
    });
  } catch (err) {
    if (!(err instanceof TrainOptionsError)) throw err;
    ctx.addIssue({ code: 'custom', path: [err.field], message: err.problem });
  }
}

/** Base64 characters that hold the PNG header's first PNG_SIZE_BYTES bytes. */
const SIZE_CHARS = Math.ceil(PNG_SIZE_BYTES / 3) * 4;

/** The renderer's size rule on an uploaded PNG (base64), read from its header alone. */
export function refineUploadedPng(base64: string, ctx: z.RefinementCtx): void {
  // atob, not Buffer: this module also runs in browsers.
  const size = pngSize(Uint8Array.from(atob(base64.slice(0, SIZE_CHARS)), (c) => c.charCodeAt(0)));
  const problem =
    size === null
      ? 'is not a valid PNG (no IHDR chunk after the signature)'
      : uploadedImageSizeProblem(size.width, size.height);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
}
