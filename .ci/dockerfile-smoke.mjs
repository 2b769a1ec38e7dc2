// The requests .ci/check-dockerfile.sh sends to the started image: the admin console at /, a group
// and a key created through the admin API, and a chat completion, plain and streamed, proxied to a
// fake upstream on loopback. Usage: node .ci/dockerfile-smoke.mjs <gateway base URL> <AUTH_KEY>
import { once } from 'node:events'
import { createServer } from 'node:http'

const [base, authKey] = process.argv.slice(2)
const fail = (message) => {
  console.error(message)
  process.exit(1)
}
const headers = { authorization: `Bearer ${authKey}`, 'content-type': 'application/json' }

// The console page and its script, from the image's admin/dist (not the "not built" notice).
const page = await (await fetch(`${base}/`)).text()
const script = /<script[^>]+src="(\/[^"]+\.js)"/.exec(page)?.[1]
if (!page.includes('id="app"') || !script) fail(`/ does not serve the admin console:\n${page}`)
const asset = await fetch(base + script)
await asset.arrayBuffer()
if (!asset.ok) fail(`the console's script ${script} answers ${asset.status}`)
console.log('admin console served at /')

// An OpenAI-format upstream that answers every call, validations included, and notes the keys.
// A streamed call gets two SSE events and [DONE], written at once as a fast upstream does.
const seenKeys = new Set()
const event = (delta, finish) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-docker', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`
const upstream = createServer((req, res) => {
  seenKeys.add(req.headers.authorization)
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => {
    if (body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(
        event({ role: 'assistant', content: 'po' }, null) +
          event({ content: 'ng' }, 'stop') +
          'data: [DONE]\n\n',
      )
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        id: 'chatcmpl-docker',
        object: 'chat.completion',
        created: 0,
        model: 'gpt-4o-mini',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'pong' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    )
  })
})
upstream.listen(0, '127.0.0.1')
await once(upstream, 'listening')

const admin = async (path, body) => {
  const res = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) })
  const text = await res.text()
  if (!res.ok) fail(`POST ${path} → HTTP ${res.status}: ${text}`)
  return JSON.parse(text).data
}
const group = await admin('/api/groups', {
  name: 'docker',
  group_type: 'standard',
  channel_type: 'openai',
  upstreams: [{ url: `http://127.0.0.1:${upstream.address().port}`, weight: 1 }],
  test_model: 'gpt-4o-mini',
})
await admin('/api/keys/add-multiple', { group_id: group.id, keys_text: 'sk-docker-check' })

/** A streamed chat: every event and the [DONE] must reach the client, in order. */
async function streamed() {
  const res = await fetch(`${base}/proxy/docker/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'ping' }],
    }),
  })
  const text = await res.text()
  const contents = [...text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('')
  if (res.status !== 200 || contents !== 'pong' || !text.trimEnd().endsWith('data: [DONE]')) {
    fail(
      `the streamed chat did not come through whole: HTTP ${res.status}: ${JSON.stringify(text)}`,
    )
  }
  console.log('proxied a streamed chat completion: both events and [DONE]')
}

// A key may become usable a moment after it is added.
let last = ''
for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
  const res = await fetch(`${base}/proxy/docker/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] }),
  })
  last = `HTTP ${res.status}: ${await res.text()}`
  if (res.status === 200 && last.includes('pong') && seenKeys.has('Bearer sk-docker-check')) {
    console.log('proxied a chat completion to the fake upstream with the group key')
    await streamed()
    upstream.close()
    process.exit(0)
  }
  await new Promise((r) => setTimeout(r, 200))
}
fail(`the proxied request never succeeded (last ${last})`)
