import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDialectConfig } from 'kysely';
import type { DatabaseTarget } from '../config/load-config.ts';
import type { DatabaseSchema } from './schema.ts';
import { loadPostgresDriver } from './scale-out-drivers.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DatabaseSchema>;
  dialect: Dialect;
  /** Round-trip time of a trivial query, for health checks. */
  ping(): Promise<number>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  poolSize?: number;
  /** PostgreSQL schema to use instead of `public` (tests use a fresh one per run). */
  schema?: string;
}

/** Distinct SQL texts kept prepared; past this the cache starts again (lists of varying length add texts). */
const statementCacheSize = 1000;

/**
 * The connection as Kysely sees it, with each SQL text prepared once. Kysely prepares on every
 * query, and preparing costs more than running most of ours. Reusing a statement is safe here:
 * the driver runs one query at a time on this connection, iterations included.
 */
function withStatementCache(connection: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => connection.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= statementCacheSize) statements.clear();
        statement = connection.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  } as SqliteDialectConfig['database'];
}

function openSqlite(file: string): Kysely<DatabaseSchema> {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const connection = new SqliteDatabase(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  connection.pragma('synchronous = NORMAL');
  // Kysely's SQLite driver holds this one connection behind a mutex: there is one writer.
  return new Kysely<DatabaseSchema>({
    dialect: new SqliteDialect({ database: withStatementCache(connection) }),
    plugins: [new CamelCasePlugin()],
  });
}

function openPostgres(url: string, options: DatabaseOptions): Kysely<DatabaseSchema> {
  if (options.schema && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${options.schema}`);
  }
  const { Pool } = loadPostgresDriver();
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  return new Kysely<DatabaseSchema>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
  });
}

export function openDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Database {
  const db = target.dialect === 'sqlite' ? openSqlite(target.path) : openPostgres(target.url, options);
  return {
    db,
    dialect: target.dialect,
    async ping() {
      const started = performance.now();
      await sql`select 1`.execute(db);
      return performance.now() - started;
    },
    close: () => db.destroy(),
  };
}
