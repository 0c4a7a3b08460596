import { Routine } from '@mikro-orm/core';

/**
 * The advisory lock key of a workspace's UTC month, shared by the rollup triggers and a month's rebuild
 * (Migration20261206200000 writes it; rollup.rebuild.ts takes it). Declared by name so the schema diff keeps it;
 * a change to it is a hand-written migration (the diff cannot see inside raw DDL).
 */
export const csatRollupLock = new Routine({
  name: 'csat_rollup_lock',
  type: 'function',
  params: { ws: { type: 'uuid' }, month: { type: 'date' } },
  returns: { runtimeType: 'string', columnType: 'bigint' },
  expression: 'create function csat_rollup_lock(ws uuid, month date) returns bigint language sql immutable parallel safe as $$ select 0::bigint $$',
});
