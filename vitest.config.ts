import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { ensureAdminBuilt } from './test/helpers/admin-build'
import { CONFORMANCE_BEHAVIOURS } from './test/conformance/behaviours'
import { startFakeUpstream, type FakeUpstream } from './test/helpers/fake-upstream'

// The conformance suite's fake upstream for workerd: a loopback server in this process, which
// the tests inside workerd reach over real HTTP. Started once, it lives as long as the run.
let conformanceUpstream: Promise<FakeUpstream> | null = null

// wrangler and miniflare try to reach the internet (metrics, the request.cf data) unless told not to.
process.env.WRANGLER_SEND_METRICS ??= 'false'
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false'

export default defineConfig({
  test: {
    // The Upstash-REST test server for the workers project's *.upstash tests, started in Node. It
    // is the root's global setup: the workers project's own would be bundled for workerd.
    globalSetup: ['./test/helpers/upstash-global-setup.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workers/**', 'node_modules/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Runs inside workerd: wrangler.toml's bindings (D1 `DB`), plus test-only ones.
        plugins: [
          cloudflareTest(async () => {
            // wrangler.toml's [assets] folder must exist before workerd starts.
            ensureAdminBuilt()
            conformanceUpstream ??= startFakeUpstream({
              behaviours: CONFORMANCE_BEHAVIOURS,
              unref: true,
            })
            const upstream = await conformanceUpstream
            return {
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: await readD1Migrations('./migrations/sqlite'),
                  AUTH_KEY: 'test-admin-key-0123456789',
                  FAKE_UPSTREAM_URL: upstream.url,
                },
              },
            }
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          setupFiles: ['./test/workers/setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
})
