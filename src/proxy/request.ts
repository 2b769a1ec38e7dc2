// Reading and inspecting the client request: the body once (with a size limit), the few fields
// the gateway needs from it, and the headers that go upstream.
import type { Context } from 'hono'
import { firstValue as first, type RawHeaders } from '../auth/credentials'
import { AppError } from '../errors'
import { bodyLength, joinBody, type BodyBytes } from '../http/body'
import { scanBody, type BodyInfo } from './body-scan'

export type { BodyInfo }

export const tooLarge = (limit: number) =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes`)

/**
 * Reads the body once. A declared length over the limit is refused before anything is read.
 * `fast`: the adapter's own reader (Deps.readBody), which enforces the limit while it reads.
 */
export const readBody = async (
  c: Context,
  limit: number,
  fast?: (c: Context, limit: number) => Promise<BodyBytes | null>,
): Promise<BodyBytes | null> => {
  const method = c.req.method
  if (method === 'GET' || method === 'HEAD') return null
  const declared = c.req.header('content-length')
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit)
  if (fast) return fast(c, limit)
  if (declared !== undefined) {
    // arrayBuffer() is the cheap path on @hono/node-server; the length is already bounded.
    const buf = new Uint8Array(await c.req.arrayBuffer())
    if (buf.byteLength > limit) throw tooLarge(limit)
    return buf.byteLength ? buf : null
  }
  const stream = c.req.raw.body
  if (!stream) return null
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = stream.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel()
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(size)
  let at = 0
  for (const ch of chunks) {
    out.set(ch, at)
    at += ch.byteLength
  }
  return size ? out : null
}

const FULL_PARSE_LIMIT = 64 * 1024
const decoder = new TextDecoder()

/** Model and stream flag: a full parse for small JSON bodies, a scan for large ones. */
export const inspectBody = (
  body: BodyBytes | null,
  contentType: string | string[] | undefined,
): BodyInfo => {
  if (Array.isArray(contentType)) contentType = contentType[0]
  if (!body || (contentType && !contentType.includes('json'))) return { model: '', stream: false }
  if (bodyLength(body) > FULL_PARSE_LIMIT) return scanBody(body)
  try {
    const json = JSON.parse(decoder.decode(joinBody(body))) as { model?: unknown; stream?: unknown }
    if (json && typeof json === 'object') {
      return {
        model: typeof json.model === 'string' ? json.model : '',
        stream: json.stream === true,
      }
    }
  } catch {
    // Not JSON after all: pass it through untouched.
  }
  return { model: '', stream: false }
}

// Never forwarded: hop-by-hop headers, the client's credentials, and headers that describe the
// client's connection to us rather than ours to the upstream.
const DROP = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'cf-connecting-ip',
])

/** Request headers as a plain object with lower-case names; the adapter's when it has them. */
export const plainHeaders = (c: Context, fast?: (c: Context) => RawHeaders): RawHeaders => {
  if (fast) return fast(c)
  const out: Record<string, string> = {}
  c.req.raw.headers.forEach((v, k) => (out[k] = v))
  return out
}

export const upstreamHeaders = (raw: RawHeaders, stream: boolean): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in raw) {
    const v = raw[name]
    if (v === undefined || DROP.has(name)) continue
    out[name] = typeof v === 'string' ? v : v.join(', ')
  }
  if (stream) out['x-accel-buffering'] = 'no'
  return out
}

/** The path after `/proxy/{group}` plus the query without `key`. */
export const upstreamTarget = (url: string, group: string): string => {
  const start = url.indexOf('/proxy/') + 7 + group.length
  const q = url.indexOf('?', start)
  const path = q < 0 ? url.slice(start) : url.slice(start, q)
  if (q < 0) return path
  const query = url.slice(q + 1)
  if (!/(^|&)key=/.test(query)) return `${path}?${query}`
  const params = new URLSearchParams(query)
  params.delete('key')
  const rest = params.toString()
  return rest ? `${path}?${rest}` : path
}

export const wantsStream = (h: RawHeaders, target: string, bodyStream: boolean): boolean =>
  bodyStream ||
  (first(h.accept)?.includes('text/event-stream') ?? false) ||
  /[?&]stream=true\b/.test(target)
