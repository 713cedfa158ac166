import type { Catalog } from '../catalog/catalog.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import { ErrorCode, findCause, SluiceError } from '../errors.ts';
import type { ObjectStore } from '../store/object-store.ts';

/**
 * Chaos for local runs and tests: with probability P, each step of the commit protocol
 * (each file write, partition registration, checkpoint commit, the handler's return) fails,
 * or the worker dies on the spot. A write may fail before or after it took effect (a lost
 * acknowledgement), which is what real networks do. Exactly-once must survive all of it.
 */
export const ChaosStep = {
  FileWrite: 'file write',
  PartitionRegistration: 'partition registration',
  CheckpointCommit: 'checkpoint commit',
  HandlerReturn: 'handler return',
} as const;
export type ChaosStep = (typeof ChaosStep)[keyof typeof ChaosStep];

/** An injected failure of one step; the batch fails and is retried. */
export class ChaosFailure extends SluiceError {
  override readonly name: string = 'ChaosFailure';
  constructor(readonly step: ChaosStep) {
    super(`chaos: ${step} failed`, { code: ErrorCode.Chaos });
  }
}

/** The worker died: everything in memory is gone; the run restarts from the durable checkpoint. */
export class WorkerCrash extends SluiceError {
  override readonly name: string = 'WorkerCrash';
  constructor(readonly step: ChaosStep) {
    super(`chaos: worker died during ${step}`, { code: ErrorCode.Chaos });
  }
}

/** True when the error, or any error in its cause chain, is a worker crash. */
export function isWorkerCrash(error: unknown): boolean {
  return findCause(error, (e): e is WorkerCrash => e instanceof WorkerCrash) !== undefined;
}

/** True when chaos caused the error (a crash or an injected failure), anywhere in the cause chain. */
export function isChaosError(error: unknown): boolean {
  return findCause(error, (e): e is SluiceError => e instanceof SluiceError && e.code === ErrorCode.Chaos) !== undefined;
}

export interface ChaosOptions {
  /** Probability that a step fails (0-1). */
  readonly probability: number;
  /** Random numbers in [0, 1); seeded in tests for replayable runs. */
  readonly random: () => number;
}

/** Decides the fate of one step. */
export class Chaos {
  /** How many failures of each kind were injected. */
  readonly injected = { failures: 0, crashes: 0 };

  constructor(private readonly options: ChaosOptions) {}

  /**
   * Maybe throws for `step`: a failure (3 in 4) or a crash (1 in 4).
   *
   * @example
   * ```ts
   * chaos.strike(ChaosStep.FileWrite);
   * ```
   */
  strike(step: ChaosStep): void {
    if (this.options.probability <= 0 || this.options.random() >= this.options.probability) return;
    if (this.options.random() < 0.25) {
      this.injected.crashes++;
      throw new WorkerCrash(step);
    }
    this.injected.failures++;
    throw new ChaosFailure(step);
  }

  /** Runs `action` with a strike before it or after it (an acknowledgement lost after the effect). */
  async around<T>(step: ChaosStep, action: () => Promise<T>): Promise<T> {
    const after = this.options.random() < 0.5;
    if (!after) this.strike(step);
    const result = await action();
    if (after) this.strike(step);
    return result;
  }
}

/** An ObjectStore whose writes suffer chaos. */
export function chaoticStore(store: ObjectStore, chaos: Chaos): ObjectStore {
  return {
    put: (key, body, options) => chaos.around(ChaosStep.FileWrite, () => store.put(key, body, options)),
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    delete: (keys) => store.delete(keys),
    locationOf: (key) => store.locationOf(key),
  };
}

/** A Catalog whose partition registrations suffer chaos. */
export function chaoticCatalog(catalog: Catalog, chaos: Chaos): Catalog {
  return {
    ensureTable: (table) => catalog.ensureTable(table),
    registerPartitions: (ref, partitions) => chaos.around(ChaosStep.PartitionRegistration, () => catalog.registerPartitions(ref, partitions)),
    setPartitionLocations: (ref, partitions) => catalog.setPartitionLocations(ref, partitions),
    getTable: (ref) => catalog.getTable(ref),
    listTables: () => catalog.listTables(),
    listPartitions: (ref) => catalog.listPartitions(ref),
  };
}

/** A CheckpointStore whose commits suffer chaos. */
export function chaoticCheckpoints<C extends CheckpointStore>(checkpoints: C, chaos: Chaos): C {
  return new Proxy(checkpoints, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'commit' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => chaos.around(ChaosStep.CheckpointCommit, () => (value as (...a: unknown[]) => Promise<void>).apply(target, args));
    },
  });
}
