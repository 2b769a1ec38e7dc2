// The client side of the fault bench: one request, judged complete or not, and a bounded load.

export interface Call {
  url: string
  headers: Record<string, string>
  body: string
  stream: boolean
}

export interface Shot {
  start: number
  end: number
  status: number
  /** The gateway's own error code (`KEYS_COOLING`, `UPSTREAM_CIRCUIT_OPEN`…), else ''. */
  code: string
  /** 2xx with a complete answer. */
  ok: boolean
  /** Bytes of a 2xx stream that closed normally with no terminator and no error event. */
  truncatedBytes: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** OpenAI ends a stream with `data: [DONE]`, Anthropic with `message_stop`. */
const isTerminated = (text: string) => /data: \[DONE\]|message_stop/.test(text)
const hasErrorEvent = (text: string) => /^event: error|^data: \{"(type":"error|error")/m.test(text)
const isCompleteJson = (text: string) => {
  try {
    const json = JSON.parse(text) as { choices?: unknown[]; candidates?: unknown[] }
    return (json.choices?.length ?? json.candidates?.length ?? 0) > 0
  } catch {
    return false
  }
}

/** Upper-case codes are the gateway's; an upstream's (`rate_limit_exceeded`) is passed through. */
const gatewayCode = (text: string) => {
  try {
    const code = String((JSON.parse(text) as { error?: { code?: unknown } }).error?.code ?? '')
    return /^[A-Z_]+$/.test(code) ? code : ''
  } catch {
    return ''
  }
}

export const shoot = async (call: Call, timeoutMs: number): Promise<Shot> => {
  const start = Date.now()
  let status = 0
  try {
    const res = await fetch(call.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...call.headers },
      body: call.body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    status = res.status
    // A read error (reset, abort, timeout) throws here: the client saw a failure, not a success.
    const text = await res.text()
    const end = Date.now()
    const good = status >= 200 && status < 300
    const code = good ? '' : gatewayCode(text)
    if (!call.stream) {
      return { start, end, status, code, ok: good && isCompleteJson(text), truncatedBytes: 0 }
    }
    const done = isTerminated(text)
    const truncated = good && !done && !hasErrorEvent(text) ? Buffer.byteLength(text) : 0
    return { start, end, status, code, ok: good && done, truncatedBytes: truncated }
  } catch {
    return { start, end: Date.now(), status, code: '', ok: false, truncatedBytes: 0 }
  }
}

export interface Load {
  ms: number
  concurrency: number
  /** Pause between one worker's requests, to stay gentle on a shared machine. */
  gapMs: number
  timeoutMs: number
}

/** `concurrency` workers sending `call` back to back for `ms`; a request started in time ends. */
export const drive = async (call: Call, load: Load): Promise<Shot[]> => {
  const shots: Shot[] = []
  const stopAt = Date.now() + load.ms
  const worker = async () => {
    while (Date.now() < stopAt) {
      shots.push(await shoot(call, load.timeoutMs))
      if (load.gapMs) await sleep(load.gapMs)
    }
  }
  await Promise.all(Array.from({ length: load.concurrency }, worker))
  return shots
}

/** ms from `at` to the end of the first success that started at or after it; null when none. */
export const firstSuccessAfter = (shots: Shot[], at: number): number | null => {
  const ends = shots.filter((s) => s.ok && s.start >= at).map((s) => s.end)
  return ends.length ? Math.min(...ends) - at : null
}
