// The Workers yardstick: every request forwarded as is to one upstream with the global fetch, its
// response returned untouched. No bindings, no parsing: what a Worker proxy costs at least.
interface Env {
  UPSTREAM: string
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url)
    return fetch(env.UPSTREAM + url.pathname + url.search, req)
  },
}
