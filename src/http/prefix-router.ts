// The app's router: requests under one path prefix (the proxy's) match against only the routes
// that can serve them. The admin API's routes (`/api/groups/list` beside `/api/groups/:id/…`) are
// more than Hono's RegExpRouter accepts, so the whole app falls back to the TrieRouter, which
// took 0.5–0.9 µs to match a proxied path; the proxy's few routes fit the RegExpRouter (<0.1 µs).
import type { Result, Router } from 'hono/router'
import { RegExpRouter } from 'hono/router/reg-exp-router'
import { SmartRouter } from 'hono/router/smart-router'
import { TrieRouter } from 'hono/router/trie-router'

const smart = <T>() => new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] })

/** A route's first path segment when it is plain text; null when it is a parameter or wildcard. */
const firstSegment = (path: string): string | null => {
  const seg = path.replace(/^\//, '').split('/')[0] ?? ''
  return /[:*?{]/.test(seg) ? null : seg
}

export class PrefixRouter<T> implements Router<T> {
  name = 'PrefixRouter'
  private readonly segment: string
  private readonly prefixed = smart<T>()
  private readonly all = smart<T>()

  /** `prefix`: one path segment with its slashes, such as `/proxy/`. */
  constructor(private readonly prefix: string) {
    this.segment = prefix.replace(/\//g, '')
  }

  add(method: string, path: string, handler: T): void {
    this.all.add(method, path, handler)
    // Every route that can match a path under the prefix, in the order they came: the prefix's
    // own, and those whose first segment is a parameter or a wildcard (middleware on `*`).
    const first = firstSegment(path)
    if (first === null || first === this.segment) this.prefixed.add(method, path, handler)
  }

  match(method: string, path: string): Result<T> {
    return path.startsWith(this.prefix)
      ? this.prefixed.match(method, path)
      : this.all.match(method, path)
  }
}
