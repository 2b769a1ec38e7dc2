// Environment variables (reference §5.2), validated with zod at boot. A bad value stops the start
// with a message that names the variable. Runtime-agnostic: adapters pass in their env map.
// zod/mini, not zod: the full API's schema methods (86 KB compiled) then load with the admin API,
// on its first request, not at every start. Every check names its own message, so none depends on
// zod's locale.
import * as z from 'zod/mini'
import type { CoreConfig } from '../deps'

// Every number has a stated range; values that become timers stay far below 2^31-1 ms (about 24.8
// days), past which Node fires a timer at once.
const int = (def: number, min: number, max: number) => {
  const range = `must be an integer between ${min} and ${max}`
  return z._default(
    z.coerce
      .number(range)
      .check(z.refine(Number.isInteger, range), z.gte(min, range), z.lte(max, range)),
    def,
  )
}
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, `must be one of ${values.filter(Boolean).join(', ')}`)
const bool = (def: boolean) =>
  z.pipe(
    z._default(
      oneOf(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', '']),
      def ? 'true' : 'false',
    ),
    z.transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on'),
  )
const list = (def: string) =>
  z.pipe(
    z._default(z.string(), def),
    z.transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  )
const text = () => z.optional(z.string())

const envSchema = z
  .object({
    PORT: int(3001, 0, 65535),
    HOST: z._default(z.string(), '0.0.0.0'),
    SERVER_READ_TIMEOUT: int(60, 1, 3600),
    SERVER_WRITE_TIMEOUT: int(600, 1, 86400),
    SERVER_IDLE_TIMEOUT: int(120, 1, 3600),
    // v1 raises anything below 10 s to 10 s; so do we.
    SERVER_GRACEFUL_SHUTDOWN_TIMEOUT: z.pipe(
      int(10, 0, 3600),
      z.transform((v) => Math.max(v, 10)),
    ),
    IS_SLAVE: bool(false),
    // How soon a dead leader's background work moves to another node (edgeload issue 10).
    LEADER_LEASE_SECONDS: int(15, 2, 3600),
    AUTH_KEY: text(),
    ENCRYPTION_KEY: text(),
    DATABASE_DSN: z._default(z.string(), './data/edgeload.db'),
    // The key pool, coordination and the log queue move to Redis when it is set (issue 12).
    REDIS_DSN: z.optional(
      z.string().check(z.regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')),
    ),
    // Many gateways (or test runs) can share one Redis under distinct prefixes.
    REDIS_PREFIX: z._default(
      z
        .string()
        .check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1–64 letters, digits or _ . : -')),
      'edgeload:',
    ),
    MAX_CONCURRENT_REQUESTS: int(100, 1, 100000),
    MAX_BODY_SIZE_MB: int(32, 1, 1024),
    ENABLE_CORS: bool(false),
    ALLOWED_ORIGINS: list(''),
    ALLOWED_METHODS: list('GET,POST,PUT,DELETE,OPTIONS'),
    ALLOWED_HEADERS: list('*'),
    ALLOW_CREDENTIALS: bool(false),
    LOG_LEVEL: z._default(oneOf(['debug', 'info', 'warn', 'error']), 'info'),
    LOG_FORMAT: z._default(oneOf(['text', 'json']), 'text'),
    TZ: text(),
  })
  .check(
    z.superRefine((env, ctx) => {
      // v1 starts such a slave and answers 503 to every request (reference §8); refuse instead.
      if (env.IS_SLAVE && !env.REDIS_DSN) {
        ctx.addIssue({
          code: 'custom',
          path: ['REDIS_DSN'],
          message:
            'is required when IS_SLAVE=true: cluster nodes share the key pool and the leader lease through Redis',
        })
      }
      if (env.ENABLE_CORS && env.ALLOWED_ORIGINS.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['ALLOWED_ORIGINS'],
          message: 'is required when ENABLE_CORS is true',
        })
      }
      if (env.ENABLE_CORS && env.ALLOW_CREDENTIALS && env.ALLOWED_ORIGINS.includes('*')) {
        ctx.addIssue({
          code: 'custom',
          path: ['ALLOW_CREDENTIALS'],
          message: 'cannot be true with ALLOWED_ORIGINS=*',
        })
      }
    }),
  )

export type Env = z.infer<typeof envSchema>

export class ConfigError extends Error {}

/** Parses the environment; empty strings count as unset, so `PORT=` falls back to the default. */
export const parseEnv = (raw: Record<string, string | undefined>): Env => {
  const cleaned: Record<string, string> = {}
  for (const key of Object.keys(envSchema.shape)) {
    const v = raw[key]
    if (v !== undefined && v.trim() !== '') cleaned[key] = v.trim()
  }
  const r = envSchema.safeParse(cleaned)
  if (r.success) return r.data
  const lines = r.error.issues.map((i) => `  ${String(i.path[0] ?? '')}: ${i.message}`)
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`)
}

/** The core's part of the environment, the same on every runtime. */
export const toCoreConfig = (env: Env, authKey: string): CoreConfig => ({
  authKey,
  encryptionKey: env.ENCRYPTION_KEY,
  maxBodyBytes: env.MAX_BODY_SIZE_MB * 1024 * 1024,
  maxConcurrentRequests: env.MAX_CONCURRENT_REQUESTS,
  cors: {
    enabled: env.ENABLE_CORS,
    origins: env.ALLOWED_ORIGINS,
    methods: env.ALLOWED_METHODS,
    headers: env.ALLOWED_HEADERS,
    credentials: env.ALLOW_CREDENTIALS,
  },
  isMaster: !env.IS_SLAVE,
  leaderLeaseMs: env.LEADER_LEASE_SECONDS * 1000,
})
