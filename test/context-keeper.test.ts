// The app keeps the latest request's Context reachable, and only the latest: with none left, an
// idle spell's full collection can leave V8 with inline-cache misses on every new Context
// (src/http/context-keeper.ts). Checked with real collections through WeakRefs.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Context } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createContextKeeper } from '../src/http/context-keeper'
import { createTestApp, type TestApp } from './helpers/app'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** A full collection after the current job, when WeakRefs made in it may be cleared. */
const collect = async () => {
  await new Promise((r) => setTimeout(r, 0))
  gc()
}

describe('context keeper', () => {
  let t: TestApp | null = null
  afterEach(async () => {
    await t?.close()
    t = null
  })

  it('holds what it was given last', () => {
    const keeper = createContextKeeper()
    expect(keeper.held()).toBeNull()
    const a = {} as Context
    const b = {} as Context
    keeper.hold(a)
    keeper.hold(b)
    expect(keeper.held()).toBe(b)
  })

  it('keeps the latest request Context of the app through a full collection, and lets the one before go', async () => {
    t = await createTestApp()
    const seen: WeakRef<Context>[] = []
    t.app.get('/probe-context', (c) => {
      seen.push(new WeakRef(c))
      return c.text('ok')
    })
    expect((await t.app.request('/probe-context')).status).toBe(200)
    await collect()
    expect(seen[0]!.deref()).toBeDefined()

    expect((await t.app.request('/probe-context')).status).toBe(200)
    await collect()
    expect(seen[0]!.deref()).toBeUndefined()
    expect(seen[1]!.deref()).toBeDefined()
  })
})
