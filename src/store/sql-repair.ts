// Data repairs that migrations mark in `pending_repairs` and that need code, run once at start.
// `utf8`: older versions could store text that is not UTF-8 (json_each unpacks a lone surrogate
// escape as such bytes), and libsql aborts the process when it reads that text. Rows are read as
// hex, never as text, and only rows that may hold such bytes are read at all.
import { eq, getTableColumns, is, sql } from 'drizzle-orm'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as schema from './schema.sqlite'
import { runBatch, type SqlDb } from './sql-util'

export interface RepairReport {
  /** Text values rewritten as valid UTF-8. */
  fixed: number
  /** Rows read: those with a 0xED byte, the lead byte of every stored surrogate. */
  scanned: number
  ms: number
}

const PAGE = 500
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

const hexBytes = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length >> 1)
  for (let i = 0; i < out.length; i++) {
    const hi = hex.charCodeAt(i * 2)
    const lo = hex.charCodeAt(i * 2 + 1)
    // SQLite's hex() is upper case: '0'–'9' are 48–57, 'A'–'F' are 65–70.
    out[i] = ((hi > 57 ? hi - 55 : hi - 48) << 4) | (lo > 57 ? lo - 55 : lo - 48)
  }
  return out
}

/** The valid form of a stored value given as hex, or null when it is valid already. */
const repaired = (hex: string): string | null => {
  const bytes = hexBytes(hex)
  try {
    strict.decode(bytes)
    return null
  } catch {
    return lenient.decode(bytes)
  }
}

interface TextColumn {
  /** The property drizzle's update takes. */
  key: string
  /** The column's name in SQL. */
  name: string
}

const textTables = () =>
  (Object.values(schema) as unknown[])
    .filter((t): t is SQLiteTable => is(t, SQLiteTable))
    .map((t) => ({
      table: t,
      name: getTableConfig(t).name,
      columns: Object.entries(getTableColumns(t))
        .filter(([, c]) => c.getSQLType() === 'text')
        .map(([key, c]): TextColumn => ({ key, name: c.name })),
    }))
    .filter((t) => t.columns.length > 0)

const repairTable = async (
  db: SqlDb,
  { table, name, columns }: ReturnType<typeof textTables>[number],
  report: RepairReport,
) => {
  const id = (name: string) => sql.identifier(name)
  // What older versions wrote is a surrogate's three bytes, which all start with 0xED: cells
  // without that byte are valid, and skipping them keeps the scan to the few suspects.
  const suspects = columns.map((c) => sql`instr(cast(${id(c.name)} as blob), X'ED') > 0`)
  const hexes = sql.join(
    columns.map(
      (c, i) => sql`case when ${suspects[i]} then hex(${id(c.name)}) end as ${id(`h${i}`)}`,
    ),
    sql`, `,
  )
  const suspect = sql.join(suspects, sql` or `)
  for (let after = Number.MIN_SAFE_INTEGER; ;) {
    const rows = await db.all<Record<string, string | number | null>>(
      sql`select rowid as r, ${hexes} from ${id(name)}
          where rowid > ${after} and (${suspect}) order by rowid limit ${PAGE}`,
    )
    if (rows.length === 0) return
    report.scanned += rows.length
    const updates: Array<{ key: string; value: string; rowid: unknown }> = []
    for (const row of rows) {
      columns.forEach((column, i) => {
        const hex = row[`h${i}`]
        const value = typeof hex === 'string' ? repaired(hex) : null
        if (value !== null) updates.push({ key: column.key, value, rowid: row.r })
      })
    }
    // Update builders rather than db.run(sql), which a synchronous driver would run at once; the
    // value goes in as SQL so that a json-mode column stores the text as it is.
    if (updates.length) {
      await runBatch(db, (q) =>
        updates.map((u) =>
          q
            .update(table)
            .set({ [u.key]: sql`${u.value}` })
            .where(sql`rowid = ${u.rowid}`),
        ),
      )
    }
    report.fixed += updates.length
    after = Number(rows.at(-1)!.r)
  }
}

/**
 * Runs every repair a migration left pending, then clears its mark. A database that this open
 * created (`created`) holds nothing an older version wrote: its marks are cleared unread, which
 * spares a new gateway a scan of every table at its first start.
 */
export const runPendingRepairs = async (
  db: SqlDb,
  created = false,
  now = Date.now,
): Promise<RepairReport> => {
  const started = now()
  const report: RepairReport = { fixed: 0, scanned: 0, ms: 0 }
  const marks = await db.select().from(schema.pendingRepairs)
  if (marks.some((m) => m.name === 'utf8')) {
    if (!created) for (const t of textTables()) await repairTable(db, t, report)
    await db.delete(schema.pendingRepairs).where(eq(schema.pendingRepairs.name, 'utf8'))
  }
  report.ms = now() - started
  return report
}
