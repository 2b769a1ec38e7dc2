// The statements of the Hrana test server (hrana-server.ts): Hrana 2 values, statements, batches
// with their conditions, and the stream requests, run on a stream's better-sqlite3 connection.
import type Database from 'better-sqlite3'

export type Value =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string }

interface Stmt {
  sql?: string
  sql_id?: number
  args?: Value[]
  named_args?: Array<{ name: string; value: Value }>
  want_rows?: boolean
}

type Cond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: Cond }
  | { type: 'and' | 'or'; conds: Cond[] }
  | { type: 'is_autocommit' }

export interface Stream {
  conn: Database.Database
  sqls: Map<number, string>
  baton: string
  lastUsed: number
}

export class HranaError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message)
  }
  toJSON = () =>
    this.code ? { message: this.message, code: this.code } : { message: this.message }
}

const toSqlite = (v: Value): unknown => {
  switch (v.type) {
    case 'null':
      return null
    case 'integer':
      return BigInt(v.value)
    case 'float':
      return Number(v.value)
    case 'text':
      return v.value
    case 'blob':
      return Buffer.from(v.base64, 'base64')
  }
  throw new HranaError(`unknown value type ${JSON.stringify((v as { type: unknown }).type)}`)
}

const fromSqlite = (v: unknown): Value => {
  if (v === null || v === undefined) return { type: 'null' }
  if (typeof v === 'bigint') return { type: 'integer', value: v.toString() }
  if (typeof v === 'number') return { type: 'float', value: v }
  if (typeof v === 'string') return { type: 'text', value: v }
  if (Buffer.isBuffer(v)) return { type: 'blob', base64: v.toString('base64') }
  throw new HranaError(`unexpected SQLite value ${typeof v}`)
}

const sqlOf = (stream: Stream, s: { sql?: string; sql_id?: number }): string => {
  if (s.sql !== undefined) return s.sql
  const stored = s.sql_id === undefined ? undefined : stream.sqls.get(s.sql_id)
  if (stored === undefined) throw new HranaError('no sql and no stored sql_id', 'SQL_NOT_FOUND')
  return stored
}

export const sqliteError = (err: unknown): HranaError => {
  const e = err as { message?: string; code?: string }
  return new HranaError(String(e.message ?? err), e.code)
}

const scalar = (conn: Database.Database, sql: string): bigint =>
  conn.prepare(sql).pluck().safeIntegers(true).get() as bigint

const execute = (stream: Stream, stmt: Stmt) => {
  const { conn } = stream
  try {
    const prepared = conn.prepare(sqlOf(stream, stmt)).safeIntegers(true)
    const args: unknown[] = (stmt.args ?? []).map(toSqlite)
    if (stmt.named_args?.length) {
      args.push(
        Object.fromEntries(
          stmt.named_args.map((a) => [a.name.replace(/^[:@$]/, ''), toSqlite(a.value)]),
        ),
      )
    }
    const before = scalar(conn, 'select total_changes()')
    let cols: Array<{ name: string; decltype: string | null }> = []
    let rows: Value[][] = []
    if (prepared.reader) {
      cols = prepared.columns().map((c) => ({ name: c.name, decltype: c.type }))
      const raw = prepared.raw(true).all(...args) as unknown[][]
      if (stmt.want_rows !== false) rows = raw.map((r) => r.map(fromSqlite))
    } else {
      prepared.run(...args)
    }
    const affected = Number(scalar(conn, 'select total_changes()') - before)
    const rowid = scalar(conn, 'select last_insert_rowid()')
    return { cols, rows, affected_row_count: affected, last_insert_rowid: rowid.toString() }
  } catch (err) {
    throw err instanceof HranaError ? err : sqliteError(err)
  }
}

const holds = (stream: Stream, results: unknown[], errors: unknown[], cond: Cond): boolean => {
  switch (cond.type) {
    case 'ok':
      return results[cond.step] != null
    case 'error':
      return errors[cond.step] != null
    case 'not':
      return !holds(stream, results, errors, cond.cond)
    case 'and':
      return cond.conds.every((c) => holds(stream, results, errors, c))
    case 'or':
      return cond.conds.some((c) => holds(stream, results, errors, c))
    case 'is_autocommit':
      return !stream.conn.inTransaction
  }
  throw new HranaError(`unknown condition ${JSON.stringify(cond)}`)
}

const batch = (stream: Stream, steps: Array<{ condition?: Cond; stmt: Stmt }>) => {
  const results: unknown[] = []
  const errors: unknown[] = []
  for (const step of steps) {
    let result = null
    let error = null
    if (!step.condition || holds(stream, results, errors, step.condition)) {
      try {
        result = execute(stream, step.stmt)
      } catch (err) {
        error = (err instanceof HranaError ? err : sqliteError(err)).toJSON()
      }
    }
    results.push(result)
    errors.push(error)
  }
  return { step_results: results, step_errors: errors }
}

export type Request = { type: string; sql?: string; sql_id?: number } & Record<string, unknown>

export const handle = (stream: Stream, req: Request): Record<string, unknown> => {
  switch (req.type) {
    case 'execute':
      return { type: 'execute', result: execute(stream, req.stmt as Stmt) }
    case 'batch':
      return { type: 'batch', result: batch(stream, (req.batch as { steps: [] }).steps) }
    case 'sequence':
      try {
        stream.conn.exec(sqlOf(stream, req))
      } catch (err) {
        throw sqliteError(err)
      }
      return { type: 'sequence' }
    case 'describe': {
      const prepared = stream.conn.prepare(sqlOf(stream, req))
      const cols = prepared.reader
        ? prepared.columns().map((c) => ({ name: c.name, decltype: c.type }))
        : []
      const sql = sqlOf(stream, req)
      return {
        type: 'describe',
        result: {
          params: [],
          cols,
          is_explain: /^\s*explain\b/i.test(sql),
          is_readonly: prepared.readonly,
        },
      }
    }
    case 'store_sql':
      stream.sqls.set(Number(req.sql_id), String(req.sql))
      return { type: 'store_sql' }
    case 'close_sql':
      stream.sqls.delete(Number(req.sql_id))
      return { type: 'close_sql' }
    case 'get_autocommit':
      return { type: 'get_autocommit', is_autocommit: !stream.conn.inTransaction }
  }
  throw new HranaError(`unknown request type ${JSON.stringify(req.type)}`)
}
