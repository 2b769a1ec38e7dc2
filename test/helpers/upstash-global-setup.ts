// Root global setup: workerd can neither listen nor speak RESP, so the Upstash-REST test server for
// the workers project runs here in Node, and its URL and token reach the tests by `provide` (the
// root's provided values are every project's). Every key those tests write lives under one run
// prefix, removed at teardown. Runs that leave the workers project out start nothing.
import type { TestProject } from 'vitest/node'
import type {} from '../workers/upstash-env'
import { dropRedisPrefix, freshRedisPrefix } from './redis'
import { startUpstashServer } from './upstash-server'

export default async function setup(project: TestProject) {
  if (!project.vitest.projects.some((p) => p.name === 'workers')) return
  const server = await startUpstashServer()
  const prefix = freshRedisPrefix()
  project.provide('upstash', { url: server.url, token: server.token, prefix })
  return async () => {
    await dropRedisPrefix(prefix)
    await server.close()
  }
}
