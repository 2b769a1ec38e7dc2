// Outbound proxies for the Node adapter: one undici agent per `proxy_url` (plus connect timeout),
// ProxyAgent for http:// and https://, Socks5ProxyAgent for socks5:// and socks5h://, or one
// EnvHttpProxyAgent when HTTP_PROXY/HTTPS_PROXY are set. Settings validation refuses the rest.
import { EnvHttpProxyAgent, ProxyAgent, Socks5ProxyAgent } from './undici'
import type { Dispatcher } from 'undici'
import { exactConnector } from './connector'

export { redactProxy } from './fetch-common'

export type ProxyEnv = Record<string, string | undefined>

export interface ProxyDispatcherOptions {
  connections?: number | null
  keepAliveTimeout?: number
  /** Where HTTP_PROXY/HTTPS_PROXY/NO_PROXY (or their lower-case forms) are read; process.env. */
  env?: ProxyEnv
}

export interface ProxyDispatchers {
  /** The agent for an explicit proxy URL (http(s):// or socks5(h)://, optional user:pass). */
  forUrl(proxy: string, connectTimeout: number | undefined): Dispatcher
  /** The environment's proxy agent, or null when no HTTP(S)_PROXY is set: use the fast Pool. */
  fromEnv(connectTimeout: number | undefined): Dispatcher | null
  close(): Promise<void>
}

const pick = (env: ProxyEnv, name: string) => env[name.toLowerCase()] || env[name] || ''

export const createProxyDispatchers = (opts: ProxyDispatcherOptions = {}): ProxyDispatchers => {
  const env = opts.env ?? process.env
  // Read once: '' (not undefined) keeps undici from falling back to process.env itself.
  const httpProxy = pick(env, 'HTTP_PROXY')
  const httpsProxy = pick(env, 'HTTPS_PROXY')
  const noProxy = pick(env, 'NO_PROXY')
  const useEnv = Boolean(httpProxy || httpsProxy)
  const agents = new Map<string, Dispatcher>()

  const agentOptions = (connectTimeout: number | undefined) => ({
    connections: opts.connections ?? null,
    keepAliveTimeout: opts.keepAliveTimeout,
    connect: connectTimeout === undefined ? undefined : { timeout: connectTimeout },
    bodyTimeout: 0,
  })

  const cached = (id: string, make: () => Dispatcher) => {
    let agent = agents.get(id)
    if (!agent) {
      agent = make()
      agents.set(id, agent)
    }
    return agent
  }

  return {
    forUrl: (proxy, connectTimeout) =>
      cached(`url ${proxy} ${connectTimeout ?? ''}`, () =>
        isSocks(proxy)
          ? createSocksAgent(proxy, connectTimeout)
          : new ProxyAgent({ ...agentOptions(connectTimeout), uri: proxy }),
      ),
    fromEnv: (connectTimeout) =>
      useEnv
        ? cached(
            `env ${connectTimeout ?? ''}`,
            () =>
              new EnvHttpProxyAgent({
                ...agentOptions(connectTimeout),
                httpProxy,
                httpsProxy,
                noProxy,
              }),
          )
        : null,
    close: async () => {
      const all = [...agents.values()]
      agents.clear()
      await Promise.all(all.map((a) => a.destroy().catch(() => {})))
    },
  }
}

const isSocks = (proxy: string) => /^socks5h?:/i.test(proxy)

/**
 * Socks5ProxyAgent takes `connect` as a connector function (an options object there would be
 * called as one), and builds its per-origin pools itself, so pool sizing does not reach them;
 * the per-request headers and body timeouts that fetch.ts dispatches still apply.
 */
const createSocksAgent = (proxy: string, connectTimeout: number | undefined) => {
  const url = new URL(proxy)
  // undici accepts only socks5: and always sends the target's host name to the proxy, which is
  // already socks5h's remote DNS; the credentials stay in the URL, which undici decodes.
  url.protocol = 'socks5:'
  return new Socks5ProxyAgent(url, {
    connect: exactConnector(connectTimeout),
  })
}
