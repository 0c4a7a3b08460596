// The entities are the schema (issue 18, item 1): on a database migrated to the latest, MikroORM's diff is empty,
// so `npm run migration:create` writes only what a maintainer changed in an entity.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ormConfig } from '../src/db/orm.config.js';
import { SCHEMA } from '../src/schema.entities.js';

const opened: MikroORM[] = [];
const folders: string[] = [];
afterAll(async () => {
  for (const orm of opened) await orm.close(true);
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

/** The service's ORM config on the test database (global setup migrated it to the latest), with `extra` on top. */
async function open(extra: Partial<Options> = {}): Promise<MikroORM> {
  const orm = await MikroORM.init({ ...ormConfig({ databaseUrl: inject('databaseUrl'), schema: SCHEMA }), ...extra });
  opened.push(orm);
  return orm;
}

/** The statements of a diff, without blank lines and the `set names` preamble. */
const statements = (sql: string | string[]) =>
  (Array.isArray(sql) ? sql : sql.split('\n')).map((s) => s.trim()).filter((s) => s && !/^set names/i.test(s));

describe('the entities describe the migrated schema', () => {
  it('the schema diff against a database migrated to the latest is empty, and migration:check finds nothing', async () => {
    const orm = await open();
    expect(statements(await orm.schema.getUpdateSchemaSQL())).toEqual([]);
    expect(await orm.migrator.checkSchema()).toBe(false);
  });

  it('a column added to an entity gives a migration that adds that column and nothing else', async () => {
    // A scratch change in a throwaway config: csat_settings gets a `note` column, as a maintainer would add it.
    const orm = await open({
      discovery: {
        onMetadata(meta) {
          if (meta.tableName === 'csat_settings') meta.addProperty({ name: 'note', type: 'text', nullable: true });
        },
      },
    });
    const folder = await mkdtemp(path.join(tmpdir(), 'csat-scratch-migration-'));
    folders.push(folder);
    const { diff, fileName } = await orm.migrator.create(folder, false, false, 'scratch');
    expect(statements(diff.up)).toEqual(['alter table "csat_settings" add "note" text null;']);
    expect(statements(diff.down)).toEqual(['alter table "csat_settings" drop column "note";']);
    expect(await readdir(folder)).toEqual([fileName]);
  });
});
