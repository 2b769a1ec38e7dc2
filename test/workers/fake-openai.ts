// An OpenAI-shaped upstream played in-process by a FetchFn (workerd has no loopback server for
// tests): a JSON chat completion, or for `stream: true` three timed SSE events and `[DONE]`.
// Keys named in `modes` misbehave: a first event that comes late, or a stream that falls silent.
import { fromWebFetch } from '../../src/http/web-fetch'
import type { FetchFn } from '../../src/deps'

export interface UpstreamCall {
  url: string
  authorization: string | null
  body: string
}

export interface FakeOpenAI {
  fetch: FetchFn
  calls: UpstreamCall[]
  /** Resolves when the latest stream has enqueued its last event (`data: [DONE]`). */
  lastEventSent(): Promise<void>
  isLastEventSent(): boolean
}

export const STREAM_PARTS = ['Hel', 'lo', ' from workerd']

/** `late`: the first event waits `LATE_MS`; `silent`: nothing after the first event. */
export type StreamMode = 'late' | 'silent'
export const LATE_MS = 2500

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))

const completion = (model: string) => ({
  id: 'chatcmpl-w',
  object: 'chat.completion',
  created: 1_700_000_000,
  model,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Hello from workerd' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
})

const chunk = (model: string, content: string) => ({
  id: 'chatcmpl-w',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model,
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
})

export const createFakeOpenAI = (
  eventDelayMs = 30,
  modes: Record<string, StreamMode> = {},
): FakeOpenAI => {
  const calls: UpstreamCall[] = []
  let sent = false
  let last: Promise<void> = Promise.resolve()

  // Pushes on its own clock, as a network would, whether or not anyone is reading yet.
  // Headers at once, then each event on its own clock, stopping when the reader leaves.
  const odd = (model: string, mode: StreamMode) => {
    let stopped = false
    return new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder()
        void (async () => {
          await sleep(mode === 'late' ? LATE_MS : eventDelayMs)
          if (stopped) return
          controller.enqueue(
            enc.encode(`data: ${JSON.stringify(chunk(model, STREAM_PARTS[0]!))}\n\n`),
          )
          if (mode === 'silent') return
          for (const part of STREAM_PARTS.slice(1)) {
            await sleep(eventDelayMs)
            if (stopped) return
            controller.enqueue(enc.encode(`data: ${JSON.stringify(chunk(model, part))}\n\n`))
          }
          controller.enqueue(enc.encode('data: [DONE]\n\n'))
          controller.close()
        })()
      },
      cancel() {
        stopped = true
      },
    })
  }

  const sse = (model: string, done: () => void) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder()
        const send = (data: string) => controller.enqueue(enc.encode(`data: ${data}\n\n`))
        void (async () => {
          try {
            for (const part of STREAM_PARTS) {
              await sleep(eventDelayMs)
              send(JSON.stringify(chunk(model, part)))
            }
            await sleep(eventDelayMs)
            send('[DONE]')
            controller.close()
          } catch {
            // The reader cancelled: nothing more to send.
          } finally {
            done()
          }
        })()
      },
    })

  const webFetch = async (url: string | URL | Request, init: RequestInit = {}) => {
    const body = init.body ? await new Response(init.body).text() : ''
    calls.push({
      url: String(url),
      authorization: new Headers(init.headers).get('authorization'),
      body,
    })
    const json = JSON.parse(body || '{}') as { model?: string; stream?: boolean }
    const model = json.model ?? 'unknown'
    if (!json.stream) return Response.json(completion(model))
    const key = calls.at(-1)!.authorization?.replace(/^Bearer /, '') ?? ''
    const mode = modes[key]
    if (mode) {
      return new Response(odd(model, mode), { headers: { 'content-type': 'text/event-stream' } })
    }
    sent = false
    let resolve!: () => void
    last = new Promise((ok) => (resolve = ok))
    const done = () => {
      sent = true
      resolve()
    }
    return new Response(sse(model, done), {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    })
  }

  const fetch: FetchFn = fromWebFetch(webFetch as typeof globalThis.fetch)
  return { fetch, calls, lastEventSent: () => last, isLastEventSent: () => sent }
}
