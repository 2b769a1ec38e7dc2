// Data repairs that migrations mark in `pending_repairs` and that need code, run once at start.
// `utf8`: older versions could store text that is not UTF-8 (json_each unpacks a lone surrogate
// escape as such bytes), and libsql aborts the process when it reads that text. Rows are read as
// hex, never as text, and only rows with non-ASCII text are read at all.
import { eq, getTableColumns, is, sql, type SQL } from 'drizzle-orm'
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as schema from './schema.sqlite'
import { runBatch, type SqlDb } from './sql-util'

export interface RepairReport {
  /** Text values rewritten as valid UTF-8. */
  fixed: number
  /** Rows read (those holding non-ASCII text). */
  scanned: number
  ms: number
}

const PAGE = 500
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

const hexBytes = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
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

const textTables = () =>
  (Object.values(schema) as unknown[])
    .filter((t): t is SQLiteTable => is(t, SQLiteTable))
    .map((t) => ({
      name: getTableConfig(t).name,
      columns: Object.values(getTableColumns(t))
        .filter((c) => c.getSQLType() === 'text')
        .map((c) => c.name),
    }))
    .filter((t) => t.columns.length > 0)

const repairTable = async (db: SqlDb, table: string, columns: string[], report: RepairReport) => {
  const id = (name: string) => sql.identifier(name)
  const hexes = sql.join(
    columns.map((c, i) => sql`hex(${id(c)}) as ${id(`h${i}`)}`),
    sql`, `,
  )
  // length() counts characters and the blob's length counts bytes: they differ only for non-ASCII.
  const nonAscii = sql.join(
    columns.map((c) => sql`length(cast(${id(c)} as blob)) <> length(${id(c)})`),
    sql` or `,
  )
  for (let after = Number.MIN_SAFE_INTEGER; ;) {
    const rows = await db.all<Record<string, string | number | null>>(
      sql`select rowid as r, ${hexes} from ${id(table)}
          where rowid > ${after} and (${nonAscii}) order by rowid limit ${PAGE}`,
    )
    if (rows.length === 0) return
    report.scanned += rows.length
    const updates: SQL[] = []
    for (const row of rows) {
      columns.forEach((column, i) => {
        const value = repaired(String(row[`h${i}`] ?? ''))
        if (value === null) return
        updates.push(sql`update ${id(table)} set ${id(column)} = ${value} where rowid = ${row.r}`)
      })
    }
    if (updates.length) await runBatch(db, (q) => updates.map((u) => q.run(u)))
    report.fixed += updates.length
    after = Number(rows.at(-1)!.r)
  }
}

/** Runs every repair a migration left pending, then clears its mark. */
export const runPendingRepairs = async (db: SqlDb, now = Date.now): Promise<RepairReport> => {
  const started = now()
  const report: RepairReport = { fixed: 0, scanned: 0, ms: 0 }
  const marks = await db.select().from(schema.pendingRepairs)
  if (marks.some((m) => m.name === 'utf8')) {
    for (const t of textTables()) await repairTable(db, t.name, t.columns, report)
    await db.delete(schema.pendingRepairs).where(eq(schema.pendingRepairs.name, 'utf8'))
  }
  report.ms = now() - started
  return report
}
