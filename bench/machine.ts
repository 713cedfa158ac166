import { cpus, totalmem, platform, arch, release } from 'node:os';

/** What the numbers were measured on: a figure means nothing without its machine. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly os: string;
}

/**
 * The machine running this process.
 *
 * @example
 * ```ts
 * machine().cpuModel; // 'AMD EPYC'
 * ```
 */
export function machine(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${platform()} ${release()} ${arch()}`,
  };
}
