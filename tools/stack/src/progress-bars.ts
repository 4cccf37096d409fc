import cliProgress from 'cli-progress';
import type { RunView } from './api-client.js';

/** Fraction of a run's training done, from its progress (0 before the first report). */
export function runFraction(run: Pick<RunView, 'state' | 'progress'>): number {
  if (run.state === 'completed' || run.state === 'stopped') return 1;
  const p = run.progress;
  if (!p || p.epochs === 0 || p.steps === 0) return 0;
  return Math.min(1, (p.epoch - 1 + p.step / p.steps) / p.epochs);
}

function runPayload(run: RunView) {
  const p = run.progress;
  return {
    run: run.id,
    lr: String(run.params.learningRate),
    state: run.state.padEnd(9),
    epoch: p ? `${p.epoch}/${p.epochs}` : '-/-',
    loss: p ? p.loss.toFixed(3) : '-----',
    acc: p ? p.accuracy.toFixed(3) : '-----',
    speed: p ? p.imagesPerSecond.toFixed(0).padStart(4) : '   -',
  };
}

/** One cli-progress bar per run, updated from polled run views. */
export class RunBars {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.multibar = new cliProgress.MultiBar(
      {
        format:
          '{run} lr={lr} {bar} {percentage}% | {state} epoch {epoch} | loss {loss} acc {acc} | {speed} img/s',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        stream,
        // Redraw even without a TTY (CI logs), but not more than every 2 s there.
        noTTYOutput: true,
        notTTYSchedule: 2000,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(run: RunView): void {
    const value = Math.round(runFraction(run) * 1000);
    const bar = this.bars.get(run.id);
    if (bar) bar.update(value, runPayload(run));
    else this.bars.set(run.id, this.multibar.create(1000, value, runPayload(run)));
  }

  stop(): void {
    this.multibar.stop();
  }
}
