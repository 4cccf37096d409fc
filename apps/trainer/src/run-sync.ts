import { rm } from 'node:fs/promises';
import { MODEL_FILE, checkpointDir } from '@cam/model';
import { runArtifactsPrefix, runCheckpointPrefix } from '@cam/queue';
import { downloadPrefix, uploadFolder, type ArtifactStore } from '@cam/storage';

/** The checkpoint's commit point: it names the tensor file, so it goes up last. */
const CHECKPOINT_STATE = 'state.json';
/** The run's commit point: the API calls a run complete once it exists, so it goes up last. */
const METRICS_FILE = 'metrics.json';

/**
 * Moves a run's files between the artifact store and the local scratch folder a trainer trains in, so that
 * trainers on any host share nothing but the store: the checkpoint comes down before training, goes up after
 * every epoch, and the finished run goes up with its commit points last.
 */
export class RunSync {
  constructor(
    private readonly store: ArtifactStore,
    private readonly runId: string,
    /** The local run folder (train's outDir). */
    readonly outDir: string,
  ) {}

  /**
   * Empties the local folder and fetches the run's checkpoint from the store (left there by an earlier attempt,
   * maybe on another host). @returns whether there was one
   */
  async fetchCheckpoint(): Promise<boolean> {
    await rm(this.outDir, { recursive: true, force: true });
    const names = await downloadPrefix(
      this.store,
      runCheckpointPrefix(this.runId),
      checkpointDir(this.outDir),
    );
    return names.includes(CHECKPOINT_STATE);
  }

  /** Puts the local checkpoint (state.json last) and removes tensor files it no longer names from the store. */
  async pushCheckpoint(): Promise<void> {
    const prefix = runCheckpointPrefix(this.runId);
    const put = await uploadFolder(this.store, checkpointDir(this.outDir), prefix, {
      last: [CHECKPOINT_STATE],
    });
    for (const key of await this.store.list(prefix))
      if (!put.includes(key.slice(prefix.length + 1))) await this.store.delete(key);
  }

  /**
   * Puts the finished run's files (weights before model.json, metrics.json last), then drops the checkpoint from
   * the store. @returns the file names put
   */
  async pushRun(): Promise<string[]> {
    const put = await uploadFolder(this.store, this.outDir, runArtifactsPrefix(this.runId), {
      skip: (name) => name.startsWith('checkpoint/'),
      last: [MODEL_FILE, METRICS_FILE],
    });
    for (const key of await this.store.list(runCheckpointPrefix(this.runId))) await this.store.delete(key);
    return put.sort();
  }

  /** Removes the local folder (the store holds everything worth keeping). */
  async clean(): Promise<void> {
    await rm(this.outDir, { recursive: true, force: true });
  }
}
