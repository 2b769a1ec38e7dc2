// The parts of undici the Node adapter uses. Its index loads all of undici (fetch, WebSocket,
// caches, mocks): ~1 MB of the compiled gateway that Node parses at every start. The files are
// taken one by one instead, and the request API is attached as the index attaches it, because
// ProxyAgent tunnels through `connect`. Types come from undici's own declarations.
import api from 'undici/lib/api/index.js'
import buildConnector from 'undici/lib/core/connect.js'
import errors from 'undici/lib/core/errors.js'
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js'
import Pool from 'undici/lib/dispatcher/pool.js'
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js'
import Socks5ProxyAgent from 'undici/lib/dispatcher/socks5-proxy-agent.js'

Object.assign(Dispatcher.prototype, api)

export { buildConnector, EnvHttpProxyAgent, errors, Pool, ProxyAgent, Socks5ProxyAgent }
