// Fuzz: random and malformed UTF-16 (lone and reversed surrogates, NUL, controls, noncharacters)
// and malformed UTF-8 (overlong, CESU, truncated, stray continuation bytes) in what clients and
// admins send. Proxy: the model (as JSON escapes and as raw bytes), the path, the query and the
// headers. Admin: every string field of the write routes, object keys included. Any 4xx is a valid
// answer; a 5xx from the gateway itself is not. After each case the gateway restarts on the same
// SQLite file, no stored text is invalid UTF-8, and the logs API, the CSV export and the dashboard
// answer 200. FUZZ_SEED repeats a run, FUZZ_CASES sets its size; the seed is in every failure.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './helpers/app'
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream'

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const CASES = Number(process.env.FUZZ_CASES ?? 200)

// mulberry32: small, seedable, good enough to pick inputs.
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const rand = rng(SEED)
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]

const UTF16_PIECES = [
  '\ud83d', // lone high surrogate
  '\ude00', // lone low surrogate
  '\ude00\ud83d', // reversed pair
  '🚀',
  '模型',
  '\u0000',
  '\u0001\u001f\u007f',
  '\r\n',
  '\ufeff',
  '\uffff\ufffe',
  'e\u0301',
  '\u202e',
  '"\\',
  'gpt-4o',
  ' ',
]
/** 1–6 pieces, sometimes a random UTF-16 unit, sometimes cut at an odd unit. */
const fuzzText = (): string => {
  let s = ''
  const n = 1 + Math.floor(rand() * 6)
  for (let i = 0; i < n; i++) {
    s += rand() < 0.25 ? String.fromCharCode(Math.floor(rand() * 0x10000)) : pick(UTF16_PIECES)
  }
  return rand() < 0.2 ? s.slice(0, Math.max(1, s.length - 1)) : s
}

const UTF8_PIECES = [
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0xbd], // a surrogate in CESU-8
  [0xf0, 0x9f], // truncated 4-byte sequence
  [0x80], // stray continuation
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xe6, 0xa8], // truncated CJK
  [0x61],
]
const fuzzBytes = (): number[] => {
  const out: number[] = []
  const n = 1 + Math.floor(rand() * 5)
  for (let i = 0; i < n; i++) {
    out.push(...(rand() < 0.2 ? [Math.floor(rand() * 256)] : pick(UTF8_PIECES)))
  }
  return out
}
const pct = (bytes: number[]) =>
  bytes.map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')

/** JSON text for a string with every non-ASCII unit as a \u escape: surrogates travel as is. */
const jsonString = (s: string) =>
  `"${[...Array(s.length).keys()]
    .map((i) => {
      const c = s.charCodeAt(i)
      if (c === 0x22 || c === 0x5c) return `\\${s[i]}`
      return c < 0x20 || c > 0x7e ? `\\u${c.toString(16).padStart(4, '0')}` : s[i]
    })
    .join('')}"`

/** A header value from random bytes: Latin-1 as Node reads it off the wire, no CR, LF or NUL. */
const fuzzHeader = () =>
  fuzzBytes()
    .map((b) => String.fromCharCode(b < 0x20 || b === 0x7f ? 0x3f : b))
    .join('')

/** Any JSON value with every string (keys too) replaced in turn: one case per string leaf. */
type Json = string | number | boolean | null | Json[] | { [k: string]: Json }
const leafPaths = (v: Json, path: (string | number)[] = []): (string | number)[][] => {
  if (typeof v === 'string') return [path]
  if (Array.isArray(v)) return v.flatMap((x, i) => leafPaths(x, [...path, i]))
  if (v && typeof v === 'object') {
    return Object.entries(v).flatMap(([k, x]) => [
      [...path, `key:${k}`],
      ...leafPaths(x, [...path, k]),
    ])
  }
  return []
}
/** The body as JSON text with the string (or object key) at `path` replaced by `text`. */
const withFuzz = (v: Json, path: (string | number)[], text: string): string => {
  if (path.length === 0) return jsonString(text)
  const [head, ...rest] = path
  if (Array.isArray(v)) {
    return `[${v.map((x, i) => (i === head ? withFuzz(x, rest, text) : JSON.stringify(x))).join(',')}]`
  }
  const obj = v as Record<string, Json>
  const parts = Object.entries(obj).map(([k, x]) => {
    if (head === `key:${k}`) return `${jsonString(text)}:${JSON.stringify(x)}`
    return `${JSON.stringify(k)}:${k === head ? withFuzz(x, rest, text) : JSON.stringify(x)}`
  })
  return `{${parts.join(',')}}`
}

let up: FakeUpstream
let dir: string
let dbPath: string
let t: TestApp

const STRICT = new TextDecoder('utf-8', { fatal: true })

/** Every text cell of every table that is not valid UTF-8, read as hex (reading it as text aborts). */
const invalidCells = async (app: TestApp) => {
  const bad: string[] = []
  const tables = await app.sqlite.db.all<{ name: string }>(
    sql.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"),
  )
  for (const { name } of tables) {
    const cols = await app.sqlite.db.all<{ name: string }>(sql.raw(`pragma table_info("${name}")`))
    for (const col of cols) {
      const rows = await app.sqlite.db.all<{ h: string }>(
        sql.raw(`select hex("${col.name}") h from "${name}" where typeof("${col.name}") = 'text'`),
      )
      for (const { h } of rows) {
        try {
          STRICT.decode(Buffer.from(h, 'hex'))
        } catch {
          bad.push(`${name}.${col.name} = ${h}`)
        }
      }
    }
  }
  return bad
}

/** Restarts on the same file (pending log rows are written at close), then reads everything. */
const restartAndRead = async (what: string) => {
  await t.close()
  t = await createTestApp({ dbPath })
  expect(await invalidCells(t), what).toEqual([])
  for (const path of ['/api/logs?page_size=1000', '/api/logs/export', '/api/dashboard/stats']) {
    const r = await t.api('GET', path)
    expect(r.status, `${what}: GET ${path}`).toBe(200)
    expect((await r.text()).isWellFormed(), `${what}: GET ${path}`).toBe(true)
  }
}

const expectNot5xx = (status: number, what: string) => {
  // 502–504 are the upstream's or the deadline's; a 500 is the gateway failing on the input.
  expect(status === 500 || status === 501 || status > 504, `${what}: status ${status}`).toBe(false)
}

beforeAll(async () => {
  up = await startFakeUpstream({ record: false })
  dir = mkdtempSync(join(tmpdir(), 'edgeload-fuzz-'))
  dbPath = join(dir, 'edgeload.db')
  t = await createTestApp({ dbPath })
  for (const [name, channel_type] of [
    ['g', 'openai'],
    ['gem', 'gemini'],
    ['ant', 'anthropic'],
  ]) {
    const g = await t.api('POST', '/api/groups', {
      name,
      channel_type,
      upstreams: [{ url: up.url, weight: 1 }],
    })
    expect(g.status).toBe(200)
    const id = ((await g.json()) as { data: { id: number } }).data.id
    expect(
      (await t.api('POST', '/api/keys/add-multiple', { group_id: id, keys_text: 'sk-ok' })).status,
    ).toBe(200)
  }
  console.log(`unicode fuzz: FUZZ_SEED=${SEED} FUZZ_CASES=${CASES}`)
})

afterAll(async () => {
  await t?.close()
  await up?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** One proxied request made of fuzzed parts. */
const proxyCase = (): { what: string; path: string; init: RequestInit } => {
  const text = fuzzText()
  const bytes = fuzzBytes()
  const enc = new TextEncoder()
  const headers: Record<string, string> = {
    authorization: `Bearer ${t.authKey}`,
    'content-type': 'application/json',
  }
  const kind = pick(['model-escaped', 'model-bytes', 'path', 'query', 'header', 'gemini-model'])
  let path = '/proxy/g/v1/chat/completions'
  let body: string | Uint8Array<ArrayBuffer> = `{"model":"gpt-4o","messages":[]}`
  let what = kind
  switch (kind) {
    case 'model-escaped':
      body = `{"model":${jsonString(text)},"messages":[{"role":"user","content":${jsonString(fuzzText())}}]}`
      what += ` ${JSON.stringify(text)}`
      break
    case 'model-bytes':
      body = new Uint8Array([
        ...enc.encode('{"model":"gpt-'),
        ...bytes,
        ...enc.encode('","messages":[]}'),
      ])
      what += ` ${pct(bytes)}`
      break
    case 'path':
      path = pick([
        `/proxy/g/v1/chat/completions${pct(bytes)}`,
        `/proxy/g/v1/${pct(bytes)}`,
        `/proxy/${pct(bytes)}/v1/chat/completions`,
      ])
      what += ` ${path}`
      break
    case 'query':
      path += `?x=${pct(bytes)}&key=${pct(fuzzBytes())}&${pct(fuzzBytes())}=1`
      what += ` ${path}`
      break
    case 'header':
      headers['user-agent'] = fuzzHeader()
      headers['x-fuzz'] = fuzzHeader()
      what += ` ${JSON.stringify(headers['user-agent'])}`
      break
    case 'gemini-model':
      path = `/proxy/gem/v1beta/models/gemini-${pct(bytes)}:generateContent`
      body = '{"contents":[{"parts":[{"text":"hi"}]}]}'
      delete headers.authorization
      headers['x-goog-api-key'] = t.authKey
      what += ` ${path}`
      break
  }
  return { what, path, init: { method: 'POST', headers, body } }
}

/** Admin writes, each with its string fields; `{gid}` and `{kid}` are filled in. */
const ADMIN_ROUTES: { method: string; path: string; body: Json }[] = [
  {
    method: 'POST',
    path: '/api/groups',
    body: {
      name: 'fz',
      display_name: 'Fuzz',
      description: 'd',
      channel_type: 'openai',
      test_model: 'gpt-4o-mini',
      validation_endpoint: '/v1/chat/completions',
      upstreams: [{ url: 'http://127.0.0.1:9/v1', weight: 1 }],
      header_rules: [{ key: 'x-team', value: 'a', action: 'set' }],
      model_redirect_rules: { 'gpt-4': 'gpt-4o' },
      param_overrides: { temperature: 'x' },
      proxy_keys: 'sk-proxy',
      config: { proxy_url: 'http://127.0.0.1:9' },
    },
  },
  {
    method: 'PUT',
    path: '/api/groups/{gid}',
    body: { display_name: 'G', description: 'd', test_model: 'm', proxy_keys: 'p' },
  },
  { method: 'POST', path: '/api/keys/add-multiple', body: { group_id: 1, keys_text: 'sk-new' } },
  { method: 'POST', path: '/api/keys/add-async', body: { group_id: 1, keys_text: 'sk-new2' } },
  { method: 'POST', path: '/api/keys/delete-multiple', body: { group_id: 1, keys_text: 'sk-x' } },
  { method: 'POST', path: '/api/keys/restore-multiple', body: { group_id: 1, keys_text: 'sk-x' } },
  { method: 'PUT', path: '/api/keys/{kid}/notes', body: { notes: 'n' } },
  {
    method: 'PUT',
    path: '/api/settings',
    body: { app_url: 'http://localhost:3001', proxy_url: '', failover_status_codes: '503' },
  },
  { method: 'POST', path: '/api/groups/{gid}/copy', body: { name: 'copy' } },
  { method: 'POST', path: '/api/auth/login', body: { auth_key: 'wrong' } },
]

const adminCase = () => {
  const route = pick(ADMIN_ROUTES)
  const leaf = pick(leafPaths(route.body))
  const path = route.path.replace('{gid}', '1').replace('{kid}', '1')
  const raw = rand() < 0.3
  let body: string | Uint8Array<ArrayBuffer>
  let what = `${route.method} ${path} ${leaf.join('.')}`
  if (raw) {
    // Malformed UTF-8 bytes in place of the field's text.
    const bytes = fuzzBytes()
    const marker = 'FUZZ_BYTES_HERE'
    const [before, after] = withFuzz(route.body, leaf, marker).split(marker)
    const enc = new TextEncoder()
    body = new Uint8Array([...enc.encode(before), ...bytes, ...enc.encode(after)])
    what += ` bytes ${pct(bytes)}`
  } else {
    const text = fuzzText()
    body = withFuzz(route.body, leaf, text)
    what += ` ${JSON.stringify(text)}`
  }
  return { what, path, method: route.method, body }
}

describe(`unicode fuzz (FUZZ_SEED=${SEED})`, () => {
  it(
    `${CASES} proxied requests with malformed text in model, path, query and headers`,
    async () => {
      for (let i = 0; i < CASES; i++) {
        const c = proxyCase()
        const what = `seed ${SEED} case ${i}: ${c.what}`
        const res = await t.app.request(c.path, c.init)
        await res.arrayBuffer()
        expectNot5xx(res.status, what)
        await restartAndRead(what)
      }
    },
    30_000 + CASES * 250,
  )

  it(
    `${CASES} admin writes with malformed text in each string field`,
    async () => {
      for (let i = 0; i < CASES; i++) {
        const c = adminCase()
        const what = `seed ${SEED} case ${i}: ${c.what}`
        const res = await t.app.request(c.path, {
          method: c.method,
          headers: { authorization: `Bearer ${t.authKey}`, 'content-type': 'application/json' },
          body: c.body,
        })
        const text = await res.text()
        expectNot5xx(res.status, `${what} → ${text}`)
        expect(text.isWellFormed(), what).toBe(true)
        await restartAndRead(what)
      }
    },
    30_000 + CASES * 250,
  )
})
