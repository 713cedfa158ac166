import { Logger } from '@aws-lambda-powertools/logger';
import { HandlerEnvironment } from './handler-environment.ts';

/**
 * The handler's structured (JSON) log in CloudWatch, one logger per container.
 *
 * @example
 * ```ts
 * handlerLogger().error('batch failed', { shardId, first, last, error });
 * ```
 */
let logger: Logger | undefined;
export function handlerLogger(): Logger {
  return (logger ??= new Logger({ serviceName: process.env[HandlerEnvironment.Job] ?? 'sluice' }));
}
