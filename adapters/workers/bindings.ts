// The bindings, secrets and vars a Worker is given (wrangler.toml, `wrangler secret put`, and
// .dev.vars under `wrangler dev`). GPT-Load's env vars (LOG_LEVEL, …) arrive as vars too.
export interface WorkersEnv {
  /** The D1 database; unused when LIBSQL_URL names a remote libSQL database instead. */
  DB?: D1Database
  /** The admin key and first global proxy key (a secret). */
  AUTH_KEY?: string
  ENCRYPTION_KEY?: string
  /** Upstash Redis: with both, the key pool, leases and config version live there. */
  UPSTASH_REDIS_REST_URL?: string
  UPSTASH_REDIS_REST_TOKEN?: string
  /** Remote libSQL (Turso) instead of D1. */
  LIBSQL_URL?: string
  LIBSQL_AUTH_TOKEN?: string
  [name: string]: unknown
}
