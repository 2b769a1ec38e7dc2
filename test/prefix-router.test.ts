// The app's router answers every path as Hono's TrieRouter does over all routes, and matches
// proxied paths with the RegExpRouter over the proxy's routes only.
import { describe, expect, it } from 'vitest'
import { TrieRouter } from 'hono/router/trie-router'
import { PrefixRouter } from '../src/http/prefix-router'
import { createTestApp } from './helpers/app'

const ROUTES: Array<[string, string]> = [
  ['ALL', '*'],
  ['GET', '/health'],
  ['ALL', '/api/*'],
  ['GET', '/api/groups/:id/stats'],
  ['GET', '/api/groups/list'],
  ['GET', '/:lang/docs'],
  ['GET', '/proxy/:group/api/integration/info'],
  ['ALL', '/proxy/:group/*'],
  ['GET', '/proxyless'],
  ['GET', '/assets/*'],
]

const PATHS = [
  '/proxy/g/v1/chat/completions',
  '/proxy/g/api/integration/info',
  '/proxy/g',
  '/proxy/g/',
  '/proxy/a%20b/v1/models?x=1',
  '/proxy/docs',
  '/proxy/',
  '/proxy',
  '/proxyless',
  '/api/groups/list',
  '/api/groups/7/stats',
  '/en/docs',
  '/assets/app.js',
  '/health',
  '/',
]

const handlers = <T>(
  r: { match: (m: string, p: string) => [unknown[]] | unknown[] },
  m: string,
  p: string,
) => {
  const [found] = r.match(m, p) as [Array<[T, unknown]> | Array<[[T, unknown]]>]
  return found.map((h) => (Array.isArray(h[0]) ? h[0][0] : h[0]))
}

describe('PrefixRouter', () => {
  it('finds the same handlers, in the same order, as a TrieRouter over every route', () => {
    const prefix = new PrefixRouter<number>('/proxy/')
    const trie = new TrieRouter<number>()
    ROUTES.forEach(([m, p], i) => {
      prefix.add(m, p, i)
      trie.add(m, p, i)
    })
    for (const method of ['GET', 'POST'])
      for (const path of PATHS)
        expect([method, path, handlers(prefix, method, path)]).toEqual([
          method,
          path,
          handlers(trie, method, path),
        ])
    // The parameter-first route can match under the prefix, so the proxy's side holds it too.
    expect(handlers(prefix, 'GET', '/proxy/docs')).toContain(5)
  })

  it('matches proxied paths of the real app with the RegExpRouter', async () => {
    const t = await createTestApp()
    const router = t.app.router as unknown as { prefixed: { activeRouter: { name: string } } }
    await t.app.request('/proxy/none/v1/models')
    expect(router.prefixed.activeRouter.name).toBe('RegExpRouter')
    await t.close?.()
  })
})
