// A fake AI upstream on a real loopback socket: OpenAI, Anthropic and Gemini routes, per-key
// behaviour (errors, delays, dropped sockets) and a record of every request. Used by tests and,
// through bench/fake-upstream.ts, by the benchmark.
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Provider, Reply } from './fake-wire'
import { errorReply } from './fake-errors'
import {
  anthropicMessages,
  geminiGenerate,
  modelList,
  openaiChat,
  openaiResponses,
} from './fake-wire'

export interface Behaviour {
  /** A non-2xx status is answered with the provider's error JSON; 401 means "invalid key". */
  status?: number
  headers?: Record<string, string>
  /** Replaces the generated body: a string is sent as is, anything else as JSON. */
  body?: unknown
  /** Wait before answering. */
  delayMs?: number
  /** Destroy the socket instead of answering. */
  destroy?: boolean
  /** Content events per stream (the non-stream text has the same parts); default 5. */
  events?: number
  eventDelayMs?: number
  /** Destroy the socket mid-stream after this many frames. */
  dropAfterEvents?: number
  /** Applies only to requests for this model (the body's `model`, or Gemini's path). */
  forModel?: string
  /** With dropAfterEvents: first send half of the next frame, so the cut falls mid-event. */
  dropMidEvent?: boolean
  /** Send a stream's headers at once, then wait this long before its first frame. */
  firstFrameDelayMs?: number
  /** Fall silent after this many frames, until the reader leaves. */
  stallAfterEvents?: number
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  body: string
  /** The upstream key found in Bearer, x-api-key, x-goog-api-key or ?key=; null when absent. */
  credential: string | null
  provider: Provider
  /** The client (the gateway) left before the whole answer was sent: a cancelled upstream call. */
  closedEarly?: boolean
}

/** What `GET /__fake/requests` lists: for tests that reach the fake over HTTP only (workerd). */
export interface RecordedSummary {
  path: string
  credential: string | null
  model: string
  closedEarly: boolean
}

export interface FakeUpstreamOptions {
  port?: number
  host?: string
  /** Keep `requests` (default true); the benchmark turns it off. */
  record?: boolean
  /** Per credential; the key `default` applies to every request, under a key's own fields. */
  behaviours?: Record<string, Behaviour>
  models?: Partial<Record<Provider, string[]>>
}

export interface FakeUpstream {
  url: string
  port: number
  requests: RecordedRequest[]
  /** Merges into the behaviour map; `null` removes a key. */
  setBehaviour: (behaviours: Record<string, Behaviour | null>) => void
  close: () => Promise<void>
}

const MODELS: Record<Provider, string[]> = {
  openai: ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1'],
  anthropic: ['claude-3-5-haiku-latest', 'claude-sonnet-4-0'],
  gemini: ['gemini-2.0-flash', 'gemini-2.5-pro'],
  'gemini-openai': ['models/gemini-2.0-flash', 'models/gemini-2.5-pro'],
}

const GEMINI_CALL = /^\/(?:v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/
/** The model a recorded request asks for: Gemini's path, else the JSON body's `model`. */
const modelOf = (rec: RecordedRequest): string => {
  const inPath = /\/models\/([^/:]+)/.exec(rec.path)?.[1]
  if (inPath) return inPath
  try {
    return String((JSON.parse(rec.body) as { model?: unknown }).model ?? '')
  } catch {
    return ''
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const providerOf = (path: string, headers: IncomingHttpHeaders): Provider => {
  if (path.startsWith('/v1beta/openai/')) return 'gemini-openai'
  if (path.startsWith('/v1beta/') || GEMINI_CALL.test(path)) return 'gemini'
  if (path.startsWith('/v1/messages') || headers['anthropic-version']) return 'anthropic'
  return 'openai'
}

const credentialOf = (headers: IncomingHttpHeaders, query: URLSearchParams) => {
  const goog = headers['x-goog-api-key'] ?? query.get('key') ?? headers['x-api-key']
  if (typeof goog === 'string' && goog) return goog
  const auth = headers.authorization
  return auth?.startsWith('Bearer ') ? auth.slice(7) : null
}

/** Routes one parsed request to its generated reply. */
const route = (
  rec: RecordedRequest,
  json: Record<string, any>,
  b: Behaviour,
  models: typeof MODELS,
) => {
  const { method, path, provider } = rec
  const events = b.events ?? 5
  const model = String(json.model ?? 'unknown')
  const stream = json.stream === true
  const size = rec.body.length
  if (
    method === 'POST' &&
    (path === '/v1/chat/completions' || path === '/v1beta/openai/chat/completions')
  ) {
    return openaiChat(model, stream, events, size, json.stream_options?.include_usage === true)
  }
  if (method === 'POST' && path === '/v1/responses')
    return openaiResponses(model, stream, events, size)
  if (method === 'POST' && path === '/v1/messages')
    return anthropicMessages(model, stream, events, size)
  const gemini = GEMINI_CALL.exec(path)
  if (method === 'POST' && gemini) {
    const mode =
      gemini[2] === 'generateContent' ? 'json' : rec.query.alt === 'sse' ? 'sse' : 'array'
    return geminiGenerate(gemini[1], mode, events, size)
  }
  const listsModels = ['/v1/models', '/v1beta/models', '/v1/models/', '/v1beta/openai/models']
  if (method === 'GET' && listsModels.includes(path)) return modelList(provider, models[provider])
  return errorReply(provider, 404, `Invalid URL (${method} ${path})`)
}

export const startFakeUpstream = async (opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> => {
  const behaviours = new Map(Object.entries(opts.behaviours ?? {}))
  const models = { ...MODELS, ...opts.models }
  const requests: RecordedRequest[] = []
  const patchBehaviours = (patch: Record<string, Behaviour | null>) => {
    for (const [key, b] of Object.entries(patch)) {
      if (b) behaviours.set(key, b)
      else behaviours.delete(key)
    }
  }

  // Control routes for a test that holds only the URL (workerd), never recorded themselves:
  // GET requests, POST reset, and POST behaviour with a JSON patch as setBehaviour takes.
  const control = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (!req.url?.startsWith('/__fake/')) return false
    if (req.url === '/__fake/reset') requests.length = 0
    if (req.url === '/__fake/behaviour') {
      let body = ''
      for await (const chunk of req) body += chunk
      patchBehaviours(JSON.parse(body) as Record<string, Behaviour | null>)
    }
    const list: RecordedSummary[] = requests.map((r) => ({
      path: r.path,
      credential: r.credential,
      model: modelOf(r),
      closedEarly: r.closedEarly === true,
    }))
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list))
    return true
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (await control(req, res)) return
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const url = new URL(req.url ?? '/', 'http://fake')
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
      credential: credentialOf(req.headers, url.searchParams),
      provider: providerOf(url.pathname, req.headers),
    }
    if (opts.record !== false) {
      requests.push(rec)
      res.once('close', () => {
        if (!res.writableFinished) rec.closedEarly = true
      })
    }
    const own = rec.credential ? behaviours.get(rec.credential) : undefined
    const b = {
      ...behaviours.get('default'),
      ...(own && (own.forModel === undefined || own.forModel === modelOf(rec)) && own),
    }

    if (b.delayMs) await sleep(b.delayMs)
    if (b.destroy) return void req.socket.destroy()
    if (res.destroyed) return
    send(res, reply(rec, b, models), b)
  }

  const reply = (rec: RecordedRequest, b: Behaviour, m: typeof MODELS): Reply => {
    // A request with no key at all gets the provider's "no credentials" error.
    if (!rec.credential) return errorReply(rec.provider, rec.provider === 'gemini' ? 403 : 401)
    if (b.status && b.status >= 400 && b.body === undefined)
      return errorReply(rec.provider, b.status)
    if (b.body !== undefined) {
      const body = typeof b.body === 'string' ? b.body : JSON.stringify(b.body)
      return { status: b.status ?? 200, headers: { 'content-type': 'application/json' }, body }
    }
    let json: Record<string, any> = {}
    if (rec.body) {
      try {
        json = JSON.parse(rec.body)
      } catch {
        return errorReply(rec.provider, 400, 'We could not parse the JSON body of your request.')
      }
    }
    return route(rec, json, b, m)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy())
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    requests,
    setBehaviour: patchBehaviours,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const send = (res: ServerResponse, r: Reply, b: Behaviour) => {
  const headers = { 'x-request-id': `req_fake_${Date.now()}`, ...r.headers, ...b.headers }
  if (typeof r.body === 'string') {
    res.writeHead(r.status, { ...headers, 'content-length': Buffer.byteLength(r.body) })
    res.end(r.body)
    return
  }
  res.writeHead(r.status, headers)
  if (b.firstFrameDelayMs) res.flushHeaders()
  void writeFrames(res, r.body.frames, b)
}

const writeFrames = async (res: ServerResponse, frames: string[], b: Behaviour) => {
  if (b.firstFrameDelayMs) await sleep(b.firstFrameDelayMs)
  for (let i = 0; i < frames.length; i++) {
    if (res.destroyed) return
    if (b.dropAfterEvents !== undefined && i >= b.dropAfterEvents) {
      if (b.dropMidEvent) {
        res.write(frames[i].slice(0, frames[i].length >> 1))
        await sleep(50) // lets the half frame leave before the socket goes
      }
      return void res.socket?.destroy()
    }
    if (b.stallAfterEvents !== undefined && i >= b.stallAfterEvents) return
    res.write(frames[i])
    if (b.eventDelayMs) await sleep(b.eventDelayMs)
  }
  res.end()
}
