// The bindings the workerd test project sees: wrangler.toml's D1 plus the test-only ones that
// vitest.config.ts adds (0.13+ types `env` through Cloudflare.Env), and the main module's exports.
declare namespace Cloudflare {
  interface Env {
    DB: D1Database
    AUTH_KEY: string
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[]
  }
  interface GlobalProps {
    mainModule: typeof import('../../adapters/workers/index')
  }
}
