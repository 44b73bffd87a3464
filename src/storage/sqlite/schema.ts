/**
 * storage/sqlite/schema: the kine-style table and the SQL the SQLite store runs.
 *
 * One row per write. The row id is the global revision (AUTOINCREMENT, so ids are never
 * reused even after compaction deletes the newest rows). A row either created its key
 * (created = 1; its create revision is its own id, stored as 0), replaced it, or deleted it
 * (deleted = 1, value = the last value so watchers receive the deleted object).
 * prev_revision is the id of the row this one superseded (0 for a key's first row); the unique
 * index on (name, prev_revision) rejects a second write from the same base even if two
 * connections ever raced.
 */

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
CREATE UNIQUE INDEX IF NOT EXISTS kv_name_prev_revision ON kv (name, prev_revision);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** A row of kv as read back. */
export interface KvRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A kv row joined with the row it superseded (p_* null when there is none or it is gone). */
export interface EventRow extends KvRow {
  p_id: number | null;
  p_created: number | null;
  p_create_revision: number | null;
  p_value: string | null;
}

export const SQL = {
  latest: `SELECT id, name, created, deleted, create_revision, prev_revision, value
           FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1`,
  insert: `INSERT INTO kv (name, created, deleted, create_revision, prev_revision, value)
           VALUES (?, ?, ?, ?, ?, ?)`,
  sequence: `SELECT seq FROM sqlite_sequence WHERE name = 'kv'`,
  maxId: `SELECT MAX(id) AS id FROM kv`,
  getMeta: `SELECT value FROM meta WHERE name = ?`,
  setMeta: `INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
  /**
   * Compaction from (from, to]: among the keys written in that window, delete every row at or
   * below `to` that a later row at or below `to` supersedes, and every delete row at or below
   * `to`. Keys not written in the window kept only their latest live row at the last compaction,
   * which is still their latest, so they need no look.
   */
  compact: `DELETE FROM kv WHERE id IN (
      SELECT r.id FROM kv r
      WHERE r.name IN (SELECT name FROM kv WHERE id > @from AND id <= @to)
        AND r.id <= @to
        AND (r.deleted = 1 OR EXISTS (SELECT 1 FROM kv n WHERE n.name = r.name AND n.id > r.id AND n.id <= @to))
    )`,
} as const;

/** Columns of a kv row, prefixed with the table alias k. */
const K_COLUMNS = 'k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value';

/**
 * Conditions selecting the latest live row per key under a prefix as of @rev. The key range
 * walks the (name, id) index in key order; the correlated MAX is one index seek per row.
 */
function listWhere(hasEnd: boolean, hasAfter: boolean): string {
  return [
    'k.name >= @start',
    hasEnd ? 'k.name < @end' : '',
    hasAfter ? 'k.name > @after' : '',
    'k.id <= @rev',
    'k.deleted = 0',
    'k.id = (SELECT MAX(k2.id) FROM kv k2 WHERE k2.name = k.name AND k2.id <= @rev)',
  ]
    .filter(Boolean)
    .join(' AND ');
}

export function listSql(hasEnd: boolean, hasAfter: boolean): string {
  return `SELECT ${K_COLUMNS} FROM kv k WHERE ${listWhere(hasEnd, hasAfter)} ORDER BY k.name LIMIT @limit`;
}

export function countSql(hasEnd: boolean, hasAfter: boolean): string {
  return `SELECT COUNT(*) AS n FROM kv k WHERE ${listWhere(hasEnd, hasAfter)}`;
}

/** Rows (with the row each superseded) under a prefix in a revision window, in revision order. */
export function historySql(hasEnd: boolean): string {
  return `SELECT ${K_COLUMNS}, p.id AS p_id, p.created AS p_created, p.create_revision AS p_create_revision, p.value AS p_value
          FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision AND k.created = 0 AND p.deleted = 0
          WHERE k.id > @after AND k.id <= @upTo AND k.name >= @start ${hasEnd ? 'AND k.name < @end' : ''}
          ORDER BY k.id`;
}
