// The fake upstream's wire formats: response bodies and stream frames shaped like the real
// OpenAI, Anthropic and Gemini APIs. Pure functions; errors are in fake-errors.ts, the server in
// fake-upstream.ts.

export type Provider = 'openai' | 'anthropic' | 'gemini' | 'gemini-openai'

export interface Reply {
  status: number
  headers: Record<string, string>
  /** A whole body, or SSE / JSON-array frames written one by one. */
  body: string | { frames: string[] }
}

const JSON_TYPE = { 'content-type': 'application/json' }
const SSE_TYPE = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }

let seq = 0
export const nextId = () => `fake${(++seq).toString(36)}${Date.now().toString(36)}`
const now = () => Math.floor(Date.now() / 1000)

/** The content parts a stream sends; a non-stream reply's text is their concatenation. */
export const toParts = (events: number) => Array.from({ length: events }, (_, i) => `tok${i} `)

const data = (v: unknown) => `data: ${JSON.stringify(v)}\n\n`
const named = (event: string, v: unknown) => `event: ${event}\ndata: ${JSON.stringify(v)}\n\n`
export const json = (status: number, v: unknown): Reply => ({
  status,
  headers: JSON_TYPE,
  body: JSON.stringify(v),
})
const sse = (frames: string[]): Reply => ({ status: 200, headers: SSE_TYPE, body: { frames } })

const usageOf = (promptChars: number, events: number) => {
  const prompt = Math.ceil(promptChars / 4)
  return { prompt, completion: events, total: prompt + events }
}

export const openaiChat = (
  model: string,
  stream: boolean,
  events: number,
  prompt: number,
  includeUsage = false,
): Reply => {
  const parts = toParts(events)
  const u = usageOf(prompt, events)
  const usage = { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.total }
  const base = { id: `chatcmpl-${nextId()}`, created: now(), model, system_fingerprint: 'fp_fake' }
  if (!stream) {
    const message = { role: 'assistant', content: parts.join(''), refusal: null, annotations: [] }
    const choice = { index: 0, message, logprobs: null, finish_reason: 'stop' }
    return json(200, { ...base, object: 'chat.completion', choices: [choice], usage })
  }
  const chunk = (delta: object, finish: string | null) =>
    data({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    })
  const frames = [chunk({ role: 'assistant', content: '', refusal: null }, null)]
  for (const content of parts) frames.push(chunk({ content }, null))
  frames.push(chunk({}, 'stop'))
  if (includeUsage)
    frames.push(data({ ...base, object: 'chat.completion.chunk', choices: [], usage }))
  frames.push('data: [DONE]\n\n')
  return sse(frames)
}

export const openaiResponses = (
  model: string,
  stream: boolean,
  events: number,
  prompt: number,
): Reply => {
  const parts = toParts(events)
  const text = parts.join('')
  const u = usageOf(prompt, events)
  const id = `resp_${nextId()}`
  const itemId = `msg_${nextId()}`
  const part = (t: string) => ({ type: 'output_text', text: t, annotations: [], logprobs: [] })
  const item = (status: string, content: object[]) => ({
    id: itemId,
    type: 'message',
    status,
    role: 'assistant',
    content,
  })
  const response = (status: string, output: object[]) => ({
    id,
    object: 'response',
    created_at: now(),
    status,
    error: null,
    incomplete_details: null,
    model,
    output,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage:
      status === 'completed'
        ? {
            input_tokens: u.prompt,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: u.completion,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: u.total,
          }
        : null,
  })
  const done = response('completed', [item('completed', [part(text)])])
  if (!stream) return json(200, done)
  let n = 0
  const ev = (type: string, v: object) => named(type, { type, sequence_number: n++, ...v })
  const at = { item_id: itemId, output_index: 0, content_index: 0 }
  return sse([
    ev('response.created', { response: response('in_progress', []) }),
    ev('response.in_progress', { response: response('in_progress', []) }),
    ev('response.output_item.added', { output_index: 0, item: item('in_progress', []) }),
    ev('response.content_part.added', { ...at, part: part('') }),
    ...parts.map((delta) => ev('response.output_text.delta', { ...at, delta, logprobs: [] })),
    ev('response.output_text.done', { ...at, text, logprobs: [] }),
    ev('response.content_part.done', { ...at, part: part(text) }),
    ev('response.output_item.done', { output_index: 0, item: item('completed', [part(text)]) }),
    ev('response.completed', { response: done }),
  ])
}

export const anthropicMessages = (
  model: string,
  stream: boolean,
  events: number,
  prompt: number,
): Reply => {
  const parts = toParts(events)
  const u = usageOf(prompt, events)
  const base = { id: `msg_${nextId()}`, type: 'message', role: 'assistant', model }
  if (!stream) {
    return json(200, {
      ...base,
      content: [{ type: 'text', text: parts.join('') }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: u.prompt, output_tokens: u.completion },
    })
  }
  const usage = { input_tokens: u.prompt, output_tokens: 1 }
  const message = { ...base, content: [], stop_reason: null, stop_sequence: null, usage }
  return sse([
    named('message_start', { type: 'message_start', message }),
    named('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
    named('ping', { type: 'ping' }),
    ...parts.map((text) =>
      named('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      }),
    ),
    named('content_block_stop', { type: 'content_block_stop', index: 0 }),
    named('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: u.completion },
    }),
    named('message_stop', { type: 'message_stop' }),
  ])
}

/** generateContent, or streamGenerateContent as SSE (`alt=sse`) or as a streamed JSON array. */
export const geminiGenerate = (
  model: string,
  mode: 'json' | 'sse' | 'array',
  events: number,
  prompt: number,
): Reply => {
  const parts = toParts(events)
  const u = usageOf(prompt, events)
  const responseId = nextId()
  const usageMetadata = {
    promptTokenCount: u.prompt,
    candidatesTokenCount: u.completion,
    totalTokenCount: u.total,
  }
  const chunk = (text: string, last: boolean) => ({
    candidates: [
      {
        content: { parts: [{ text }], role: 'model' },
        ...(last ? { finishReason: 'STOP' } : {}),
        index: 0,
      },
    ],
    usageMetadata: last ? usageMetadata : { promptTokenCount: u.prompt, totalTokenCount: u.prompt },
    modelVersion: model,
    responseId,
  })
  if (mode === 'json') return json(200, chunk(parts.join(''), true))
  const chunks = parts.map((t, i) => chunk(t, i === parts.length - 1))
  if (chunks.length === 0) chunks.push(chunk('', true))
  // Gemini separates SSE events with CRLF pairs.
  if (mode === 'sse') return sse(chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`))
  const frames = chunks.map((c, i) => (i === 0 ? '[' : ',\r\n') + JSON.stringify(c))
  frames.push(']')
  return { status: 200, headers: JSON_TYPE, body: { frames } }
}

export const modelList = (provider: Provider, models: string[]): Reply => {
  if (provider === 'gemini') {
    return json(200, {
      models: models.map((m) => ({
        name: `models/${m}`,
        version: '001',
        displayName: m,
        inputTokenLimit: 1048576,
        outputTokenLimit: 8192,
        supportedGenerationMethods: ['generateContent', 'countTokens'],
      })),
    })
  }
  if (provider === 'anthropic') {
    const data = models.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '2025-01-01T00:00:00Z',
    }))
    return json(200, {
      data,
      has_more: false,
      first_id: models[0] ?? null,
      last_id: models.at(-1) ?? null,
    })
  }
  const data = models.map((id) => ({
    id,
    object: 'model',
    created: 1700000000,
    owned_by: 'system',
  }))
  return json(200, { object: 'list', data })
}
