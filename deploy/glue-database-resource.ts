import { ref, type CfnResource } from './cloudformation.ts';

/**
 * The job's Glue database. Retained when the stack is deleted: other jobs' tables may live in
 * it, and deleting a Glue database deletes its tables.
 *
 * @example
 * ```ts
 * glueDatabaseResource({ name: 'iot' });
 * // { Type: 'AWS::Glue::Database', DeletionPolicy: 'Retain', Properties: { DatabaseInput: { Name: 'iot' }, ... } }
 * ```
 */
export function glueDatabaseResource(options: { readonly name: string }): CfnResource {
  return {
    Type: 'AWS::Glue::Database',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: { CatalogId: ref('AWS::AccountId'), DatabaseInput: { Name: options.name } },
  };
}
