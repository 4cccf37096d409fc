/** One convolution of an architecture: `filters` output channels, a square `kernelSize` x `kernelSize` kernel. */
export interface ConvLayerSpec {
  filters: number;
  kernelSize: number;
}

/** Per-pixel standardisation applied inside the model to inputs in [0, 1]: (x - mean) / std. */
export interface InputNormalization {
  mean: number;
  std: number;
}

/**
 * A CAM-capable CNN as data: convolutions (stride 1, 'same' padding, ReLU, no pooling), then global
 * average pooling, a bias-free dense layer (the logits) and softmax.
 */
export interface ArchSpec {
  name: string;
  /** [height, width, channels] of one input image. */
  inputShape: [number, number, number];
  convs: ConvLayerSpec[];
  classes: number;
  /**
   * Standardisation done by the model's first layer, so callers always feed pixels in [0, 1].
   * @defaultValue MNIST's training-set statistics, {@link MNIST_NORMALIZATION}
   */
  normalization?: InputNormalization | null;
}

/** Mean and standard deviation of MNIST's training pixels scaled to [0, 1]. */
export const MNIST_NORMALIZATION: InputNormalization = { mean: 0.1307, std: 0.3081 };

const conv3 = (filters: number): ConvLayerSpec => ({ filters, kernelSize: 3 });

/** The seed notebooks' models (shared/seed/NOTES.md). */
export const ARCH_PRESETS = {
  c2: { name: 'c2', inputShape: [28, 28, 1], convs: [16, 16, 32, 256].map(conv3), classes: 10 },
  c3: { name: 'c3', inputShape: [28, 28, 1], convs: [16, 16, 16, 16, 256].map(conv3), classes: 10 },
} as const satisfies Record<string, ArchSpec>;

export type ArchPresetName = keyof typeof ARCH_PRESETS;

/**
 * An architecture spec that is not a valid CAM CNN; the message names the field and what is wrong, `path` is
 * the field as keys (e.g. ['arch', 'convs', 0, 'kernelSize']) and `problem` the message without the field.
 */
export class ArchSpecError extends Error {
  readonly path: (string | number)[];
  readonly problem: string;

  constructor(path: (string | number)[], problem: string) {
    super(
      `${path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('')}: ${problem}`,
    );
    this.name = 'ArchSpecError';
    this.path = path;
    this.problem = problem;
  }
}

function positiveInteger(value: unknown, path: (string | number)[]): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ArchSpecError(path, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** Throws {@link ArchSpecError} unless `spec` is a valid architecture; returns it typed. */
export function validateArch(spec: unknown): ArchSpec {
  if (typeof spec !== 'object' || spec === null)
    throw new ArchSpecError(['arch'], `must be an object, got ${JSON.stringify(spec)}`);
  const s = spec as Record<string, unknown>;
  if (typeof s.name !== 'string' || s.name.trim() === '')
    throw new ArchSpecError(['arch', 'name'], `must be a non-empty string`);
  if (!Array.isArray(s.inputShape) || s.inputShape.length !== 3) {
    throw new ArchSpecError(
      ['arch', 'inputShape'],
      `must be [height, width, channels], got ${JSON.stringify(s.inputShape)}`,
    );
  }
  s.inputShape.forEach((d, i) => positiveInteger(d, ['arch', 'inputShape', i]));
  if (!Array.isArray(s.convs) || s.convs.length === 0) {
    throw new ArchSpecError(
      ['arch', 'convs'],
      `must be a non-empty list of conv layers ({ filters, kernelSize }); CAM needs a last conv`,
    );
  }
  s.convs.forEach((c: unknown, i) => {
    if (typeof c !== 'object' || c === null)
      throw new ArchSpecError(
        ['arch', 'convs', i],
        `must be { filters, kernelSize }, got ${JSON.stringify(c)}`,
      );
    const conv = c as Record<string, unknown>;
    positiveInteger(conv.filters, ['arch', 'convs', i, 'filters']);
    positiveInteger(conv.kernelSize, ['arch', 'convs', i, 'kernelSize']);
    if ((conv.kernelSize as number) % 2 === 0) {
      throw new ArchSpecError(
        ['arch', 'convs', i, 'kernelSize'],
        `must be odd so that 'same' padding keeps the map centred, got ${conv.kernelSize}`,
      );
    }
  });
  positiveInteger(s.classes, ['arch', 'classes']);
  if ((s.classes as number) < 2)
    throw new ArchSpecError(['arch', 'classes'], `must be at least 2, got ${s.classes}`);
  if (s.normalization !== undefined && s.normalization !== null) {
    const n = s.normalization as Record<string, unknown>;
    if (typeof n.mean !== 'number' || !Number.isFinite(n.mean))
      throw new ArchSpecError(['arch', 'normalization', 'mean'], `must be a finite number`);
    if (typeof n.std !== 'number' || !(n.std > 0))
      throw new ArchSpecError(['arch', 'normalization', 'std'], `must be a positive number`);
  }
  return spec as ArchSpec;
}

/** A preset by name ('c2', 'c3') or a spec, validated. */
export function resolveArch(nameOrSpec: string | ArchSpec): ArchSpec {
  if (typeof nameOrSpec === 'string') {
    if (!Object.hasOwn(ARCH_PRESETS, nameOrSpec)) {
      throw new ArchSpecError(
        ['arch'],
        `unknown preset '${nameOrSpec}' (known: ${Object.keys(ARCH_PRESETS).join(', ')})`,
      );
    }
    const preset = ARCH_PRESETS[nameOrSpec as ArchPresetName];
    return { ...preset, inputShape: [...preset.inputShape], convs: preset.convs.map((c) => ({ ...c })) };
  }
  return validateArch(nameOrSpec);
}
