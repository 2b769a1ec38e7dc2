// The Dockerfile, performed step by step without a Docker engine (.ci/check-dockerfile.sh):
// its install works, its CMD starts the gateway, and the HEALTHCHECK passes.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

describe('Dockerfile', () => {
  it('installs, starts and answers its health check', () => {
    const r = spawnSync('bash', ['.ci/check-dockerfile.sh', '3918'], {
      encoding: 'utf8',
      timeout: 170_000,
    })
    const out = `${r.stdout}\n${r.stderr}`
    expect(out, out).toContain('HEALTHCHECK ok')
    expect(out).toContain('stopped cleanly')
    expect(out).toContain('database created in data/')
    expect(r.status).toBe(0)
  }, 180_000)
})
