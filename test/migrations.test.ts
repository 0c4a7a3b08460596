// Migrations with replicas: instances that start together against an empty database take turns.
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { migrations } from '../migrations/index.js';
import { migrate, openDatabase, type Database } from '../src/schema.database.js';

const opened: Database[] = [];
let empty: ThrowawayDatabase | undefined;
afterAll(async () => {
  for (const db of opened) await db.close();
  await empty?.drop();
});

describe('migrate', () => {
  it('run by four instances at the same moment on an empty database: one applies every migration, the others find none pending', async () => {
    empty = await createThrowawayDatabase(`csat_test_migrate_race_${process.pid}`, { serverUrl: inject('databaseUrl'), prepare: false });
    for (let i = 0; i < 4; i++) opened.push(await openDatabase(empty.url, pino({ level: 'silent' })));
    const applied = await Promise.all(opened.map((db) => migrate(db.orm)));
    const names = migrations.map((m) => m.name);
    expect(applied.filter((a) => a.length > 0)).toEqual([names]);
    expect(applied.filter((a) => a.length === 0)).toHaveLength(3);
    const { rows } = await sql<{ name: string }>`select name from csat_migrations order by id`.execute(opened[0]!.orm.em.getKysely());
    expect(rows.map((r) => r.name)).toEqual(names);
  });
});
