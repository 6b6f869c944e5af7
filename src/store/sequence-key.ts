import type { CreateTableBuilder, Kysely } from 'kysely';
import { isPostgres } from './postgres';

/**
 * A table's key numbered by the database in insertion order: SQLite's `integer primary key
 * autoincrement` (never reuses a number), PostgreSQL's `bigserial` (Kysely would write SQLite's
 * keyword there too). Used with `$call`: `db.schema.createTable(t).$call(sequenceKey(db, 'seq'))`.
 */
export function sequenceKey(db: Kysely<unknown>, column: string) {
  return <T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, string> =>
    isPostgres(db) ? table.addColumn(column, 'bigserial', (c) => c.primaryKey()) : table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement());
}
