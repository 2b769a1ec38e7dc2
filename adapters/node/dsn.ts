// DATABASE_DSN to a database target: PostgreSQL, MySQL (its URL form and GPT-Load's Go form
// `user:pass@tcp(host:port)/db?…`), remote libSQL, or a SQLite file. Parsing only; opening is
// db.ts's. A malformed DSN is refused with a message that never repeats the password.

export type DbTarget =
  | { kind: 'sqlite'; path: string }
  | { kind: 'libsql'; url: string; authToken?: string }
  | { kind: 'postgres'; url: string }
  | {
      kind: 'mysql'
      host: string
      port: number
      user: string
      password: string
      database: string
      /** Query parameters of the DSN (e.g. `charset`), as given. */
      params: Record<string, string>
    }

export class DsnError extends Error {
  override name = 'DsnError'
}

// Go's go-sql-driver form: [user[:password]@][tcp[(host[:port])]]/dbname[?params]
const GO_MYSQL = /^(?:([^:@/]*)(?::(.*))?@)?tcp(?:\(([^)]*)\))?\/([^?]*)(?:\?(.*))?$/

const splitHostPort = (hp: string, fallbackPort: number) => {
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(hp.trim())
  const host = m?.[1] || '127.0.0.1'
  const port = m?.[2] ? Number(m[2]) : fallbackPort
  return { host, port }
}

const paramsOf = (query: string | undefined): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(query ?? ''))

const mysqlTarget = (
  parts: { user: string; password: string; hostPort: string; database: string },
  query: string | undefined,
): DbTarget => {
  const { host, port } = splitHostPort(parts.hostPort, 3306)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new DsnError(`DATABASE_DSN: MySQL port must be 1–65535 (host ${host})`)
  }
  if (parts.database === '') {
    throw new DsnError(
      `DATABASE_DSN: MySQL needs a database name after the host (${host}:${port}/…)`,
    )
  }
  return {
    kind: 'mysql',
    host,
    port,
    user: parts.user || 'root',
    password: parts.password,
    database: parts.database,
    params: paramsOf(query),
  }
}

export const parseDsn = (dsn: string, env: { LIBSQL_AUTH_TOKEN?: string } = {}): DbTarget => {
  const s = dsn.trim()
  if (s === '') throw new DsnError('DATABASE_DSN is empty')
  if (/^postgres(ql)?:\/\//i.test(s)) {
    try {
      const u = new URL(s)
      if (u.hostname === '') throw new Error('no host')
    } catch {
      throw new DsnError(
        'DATABASE_DSN: not a valid postgres:// URL (postgres://user:pass@host:5432/db)',
      )
    }
    return { kind: 'postgres', url: s }
  }
  if (/^mysql:\/\//i.test(s)) {
    let u: URL
    try {
      u = new URL(s)
    } catch {
      throw new DsnError('DATABASE_DSN: not a valid mysql:// URL (mysql://user:pass@host:3306/db)')
    }
    const hostPort = u.port ? `${u.hostname}:${u.port}` : u.hostname
    const parts = {
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      hostPort,
      database: decodeURIComponent(u.pathname.replace(/^\//, '')),
    }
    return mysqlTarget(parts, u.search.slice(1))
  }
  const go = GO_MYSQL.exec(s)
  if (go) {
    const [, user = '', password = '', hostPort = '', database = '', query] = go
    return mysqlTarget({ user, password, hostPort, database }, query)
  }
  if (/^libsql:\/\//i.test(s) || (/^https?:\/\//i.test(s) && env.LIBSQL_AUTH_TOKEN)) {
    // @libsql/client also reads a token from the URL (`?authToken=`): known here so that
    // messages can mask it.
    const inUrl = URL.canParse(s) ? new URL(s).searchParams.get('authToken') : null
    return { kind: 'libsql', url: s, authToken: env.LIBSQL_AUTH_TOKEN || inUrl || undefined }
  }
  if (/^https?:\/\//i.test(s)) {
    throw new DsnError('DATABASE_DSN: an https:// URL is remote libSQL and needs LIBSQL_AUTH_TOKEN')
  }
  if (/^file:/i.test(s)) return { kind: 'sqlite', path: s.replace(/^file:(\/\/)?/i, '') }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    const scheme = s.slice(0, s.indexOf(':'))
    throw new DsnError(
      `DATABASE_DSN: unknown scheme ${scheme}:// (use postgres://, mysql://, libsql://, file: or a path)`,
    )
  }
  return { kind: 'sqlite', path: s }
}

/** The target for messages: never the password or token. */
export const describeTarget = (t: DbTarget): string => {
  if (t.kind === 'sqlite') return `SQLite ${t.path}`
  if (t.kind === 'mysql') return `MySQL ${t.user}@${t.host}:${t.port}/${t.database}`
  const u = new URL(t.url)
  const where = `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`
  return t.kind === 'postgres' ? `PostgreSQL ${where}` : `libSQL ${where}`
}
