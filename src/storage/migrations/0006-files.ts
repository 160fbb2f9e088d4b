import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';

/**
 * The file store. `files` rows are what users own (one per upload); `file_blobs` holds each
 * user's distinct contents once, keyed by SHA-256, and says where the bytes are (a file in the
 * local folder, or a `file_blob_contents` row). A file row cannot exist without its blob (foreign
 * key), and database-stored bytes commit in the same transaction as the blob record.
 */
export function filesMigration(dialect: Dialect): Migration {
  const bytes = dialect === 'postgres' ? ('bytea' as const) : ('blob' as const);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('file_blobs')
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('sha256', 'text', (column) => column.notNull())
        .addColumn('size', 'integer', (column) => column.notNull())
        // 'local' | 'database': reads follow the record, so changing the setting strands nothing.
        .addColumn('storage', 'text', (column) => column.notNull())
        // Local store: path under the files folder, unique per record; NULL for the database store.
        .addColumn('location', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addPrimaryKeyConstraint('file_blobs_pk', ['user_id', 'sha256'])
        .execute();

      await db.schema
        .createTable('file_blob_contents')
        .addColumn('user_id', 'text', (column) => column.notNull())
        .addColumn('sha256', 'text', (column) => column.notNull())
        .addColumn('data', bytes, (column) => column.notNull())
        .addPrimaryKeyConstraint('file_blob_contents_pk', ['user_id', 'sha256'])
        .addForeignKeyConstraint('file_blob_contents_blob', ['user_id', 'sha256'], 'file_blobs', ['user_id', 'sha256'], (constraint) =>
          constraint.onDelete('cascade'),
        )
        .execute();

      await db.schema
        .createTable('files')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('user_id', 'text', (column) => column.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('mime_type', 'text', (column) => column.notNull())
        .addColumn('size', 'integer', (column) => column.notNull())
        .addColumn('sha256', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        // No action (checked at statement end): deleting a user cascades to both tables at once.
        .addForeignKeyConstraint('files_blob', ['user_id', 'sha256'], 'file_blobs', ['user_id', 'sha256'])
        .execute();
      await db.schema.createIndex('files_user_created').on('files').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('files_user_sha256').on('files').columns(['user_id', 'sha256']).execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['files', 'file_blob_contents', 'file_blobs']) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
