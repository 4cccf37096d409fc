/** Reported after every training step. */
export interface TrainProgress {
  /** 1-based epoch in progress. */
  epoch: number;
  epochs: number;
  /** 1-based step within the epoch. */
  step: number;
  steps: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

/** Time and throughput of a run in this process, with the training seconds of the processes before it (resumes). */
export class RunClock {
  private readonly start: number;
  private images = 0;

  constructor(
    /** Training seconds before this process, from the checkpoint. */
    readonly secondsBefore: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }

  countImages(images: number): void {
    this.images += images;
  }

  /** Images trained per second in this process. */
  imagesPerSecond(): number {
    return this.images / ((this.now() - this.start) / 1000);
  }

  /** Seconds the remaining steps take at this process's throughput. */
  etaSeconds(stepsLeft: number, batchSize: number): number {
    return (stepsLeft * batchSize) / this.imagesPerSecond();
  }

  /** Training seconds across resumes. */
  totalSeconds(): number {
    return this.secondsBefore + (this.now() - this.start) / 1000;
  }
}
