import type Database from 'better-sqlite3';

/** One row written by the app: inserted (no `before`), deleted (no `after`) or updated (both). */
export interface RowChange {
  table: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/**
 * Every row the app writes to its SQLite file, as it writes it: temporary triggers on the app's own
 * connection copy each inserted, updated and deleted row into a temporary table, which `take()` reads
 * and empties. It answers what a before/after snapshot of every table would, at the cost of the rows
 * that changed rather than of the whole database, so a property can look after each of thousands of
 * calls. The triggers are TEMP: they live on this connection only and never reach the file.
 */
export class RowChanges {
  private readonly read: Database.Statement;
  private readonly clear: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    o: { ignore?: Iterable<string> } = {},
  ) {
    const ignore = new Set(o.ignore ?? []);
    db.exec('CREATE TEMP TABLE IF NOT EXISTS row_changes (n INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, before TEXT, after TEXT)');
    const tables = (db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((t) => t.name);
    for (const t of tables.filter((t) => !ignore.has(t))) {
      const columns = (db.prepare(`PRAGMA main.table_info("${t}")`).all() as { name: string }[]).map((c) => c.name);
      const row = (which: 'OLD' | 'NEW') => `json_object(${columns.map((c) => `'${c}', ${which}."${c}"`).join(', ')})`;
      db.exec(`
        CREATE TEMP TRIGGER IF NOT EXISTS "row_changes_${t}_ins" AFTER INSERT ON main."${t}" BEGIN INSERT INTO row_changes (tbl, before, after) VALUES ('${t}', NULL, ${row('NEW')}); END;
        CREATE TEMP TRIGGER IF NOT EXISTS "row_changes_${t}_upd" AFTER UPDATE ON main."${t}" BEGIN INSERT INTO row_changes (tbl, before, after) VALUES ('${t}', ${row('OLD')}, ${row('NEW')}); END;
        CREATE TEMP TRIGGER IF NOT EXISTS "row_changes_${t}_del" AFTER DELETE ON main."${t}" BEGIN INSERT INTO row_changes (tbl, before, after) VALUES ('${t}', ${row('OLD')}, NULL); END;
      `);
    }
    this.read = db.prepare('SELECT tbl, before, after FROM temp.row_changes ORDER BY n');
    this.clear = db.prepare('DELETE FROM temp.row_changes');
  }

  /** The rows written since the last call (an update that wrote the same values is left out). */
  take(): RowChange[] {
    const rows = this.read.all() as { tbl: string; before: string | null; after: string | null }[];
    if (rows.length) this.clear.run();
    return rows
      .filter((r) => r.before !== r.after)
      .map((r) => ({ table: r.tbl, ...(r.before ? { before: JSON.parse(r.before) } : {}), ...(r.after ? { after: JSON.parse(r.after) } : {}) }));
  }

  /** Drops the triggers (the temporary table goes with the connection). */
  stop() {
    const triggers = this.db.prepare("SELECT name FROM temp.sqlite_master WHERE type = 'trigger' AND name LIKE 'row_changes_%'").all() as { name: string }[];
    for (const t of triggers) this.db.exec(`DROP TRIGGER temp."${t.name}"`);
  }
}
