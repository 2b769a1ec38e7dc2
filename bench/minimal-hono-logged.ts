// minimal-hono plus the one piece of work that issue 15 requires and a bare proxy never does: a
// log row for every request, stored in a SQLite file through edgeload's Store (libsql), in
// batches of LOG_BATCH_ROWS or every LOG_FLUSH_MS, as the gateway's log writer stores them. No
// proxy-key check, group lookup, key pick or retry bookkeeping: what edgeload costs above this is
// that work; this one's above minimal-hono is what storing the rows costs.
// Run: UPSTREAM=http://127.0.0.1:N PORT=M [LOG_DIR=folder] tsx bench/minimal-hono-logged.ts
import { serve, type HttpBindings } from '@hono/node-server'
import { Hono } from 'hono'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clientSignal, responseClosed } from '../adapters/node/client-signal'
import { openDatabase } from '../adapters/node/database'
import { createUndiciFetch } from '../adapters/node/fetch'
import { readNodeBody } from '../adapters/node/read-body'
import { timeOrderedId } from '../src/logs/log-id'
import { LOG_BATCH_ROWS, LOG_FLUSH_MS } from '../src/logs/writer'
import { responseHeaders } from '../src/proxy/response'
import type { RequestLog } from '../src/store/types'

const upstream = (process.env.UPSTREAM ?? 'http://127.0.0.1:8081').replace(/\/+$/, '')
const fetchUpstream = createUndiciFetch()
// LOG_DIR keeps the database (for a test to read); without it, a temporary folder goes at exit.
const dir = process.env.LOG_DIR ?? mkdtempSync(join(tmpdir(), 'minimal-hono-logged-'))
const db = await openDatabase(join(dir, 'bench.db'), {})

// The bench group's 8 keys take turns, as edgeload's pick does: their hashes vary per row.
const KEYS = Array.from({ length: 8 }, (_, i) => ({
  hash: i.toString(16).repeat(64),
  masked: `sk-b...000${i}`,
}))
let turn = 0
let rows: RequestLog[] = []
let writing = false
// One batch at a time, as the log writer does; the per-key usage counts (which edgeload writes
// less often) are left out. A failed write rejects unhandled and ends the process: a failed bench.
const write = async () => {
  if (writing || rows.length === 0) return
  writing = true
  const batch = rows
  rows = []
  await db.store.insertLogs(batch, { fresh: true, usage: false })
  writing = false
}
setInterval(() => void write(), LOG_FLUSH_MS)

function onClose(this: HttpBindings['outgoing']) {
  responseClosed(this)
}

const app = new Hono<{ Bindings: HttpBindings }>()
app.all('*', async (c) => {
  const { incoming, outgoing } = c.env
  const started = Date.now()
  outgoing.on('close', onClose)
  const method = c.req.method
  const body = method === 'GET' || method === 'HEAD' ? null : await readNodeBody(c, 64 << 20)
  const signal = clientSignal(outgoing)
  const res = await fetchUpstream(new URL(upstream + incoming.url), {
    method,
    headers: incoming.headers as Record<string, string>,
    body,
    signal,
  })
  // The columns edgeload fills for a plain chat, with its defaults where it leaves them.
  const key = KEYS[turn++ % KEYS.length]!
  rows.push({
    id: timeOrderedId(started),
    timestamp: new Date(started),
    group_id: 1,
    group_name: 'bench',
    parent_group_id: 0,
    parent_group_name: '',
    key_hash: key.hash,
    key_masked: key.masked,
    model: 'gpt-4o-mini',
    is_success: res.status < 400,
    source_ip: '127.0.0.1',
    status_code: res.status,
    request_path: incoming.url ?? '',
    duration_ms: Date.now() - started,
    error_message: '',
    user_agent: incoming.headers['user-agent'] ?? '',
    request_type: 'final',
    upstream_addr: upstream + incoming.url,
    is_stream: false,
    request_body: '',
  })
  if (rows.length >= LOG_BATCH_ROWS) void write()
  return new Response(res.body, { status: res.status, headers: responseHeaders(res, false) })
})

serve({
  fetch: app.fetch,
  port: Number(process.env.PORT ?? 8080),
  hostname: process.env.HOST ?? '127.0.0.1',
})
process.on('SIGTERM', () => {
  if (!process.env.LOG_DIR) rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
