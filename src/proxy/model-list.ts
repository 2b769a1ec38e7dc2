// Model-list interception (reference §2.6, §6): on a group with redirect rules, the upstream's 200
// list is merged with (loose) or replaced by (strict) the configured client models. Unlike v1, the
// upstream status and headers are kept and any non-200 list passes through (§8.1 #6).
import type { UpstreamResponse } from '../deps'
import type { ModelRedirect } from './redirect'

const LIST_PATH = /\/(?:v1|v1beta|v1beta\/openai|v1beta\/openai\/v1)\/models\/?$/

/** Whether a request lists models: GET `…/v1/models`, `…/v1beta/models`, `…/v1beta/openai/…`. */
export const isModelListRequest = (method: string, path: string): boolean =>
  method === 'GET' && LIST_PATH.test(path)

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The transformed list; null when the body has neither shape (it then passes through). */
export const transformModelList = (
  body: unknown,
  r: ModelRedirect,
  firstPage: boolean,
): Json | null => {
  if (!isObject(body)) return null
  const sources = [...r.map.keys()]
  if (Array.isArray(body.data)) {
    const own = sources.map((id) => ({ id, object: 'model', created: 0, owned_by: 'system' }))
    if (r.strict) return { ...body, data: own }
    const seen = new Set(body.data.map((m) => (isObject(m) ? m.id : undefined)))
    return { ...body, data: [...body.data, ...own.filter((m) => !seen.has(m.id))] }
  }
  if (Array.isArray(body.models)) {
    const own = sources.map((s) => ({
      name: `models/${s}`,
      displayName: s,
      supportedGenerationMethods: ['generateContent'],
    }))
    if (r.strict) {
      const { nextPageToken: _, ...rest } = body
      return { ...rest, models: own }
    }
    // A later page already had the configured models added on the first one.
    if (!firstPage) return null
    const seen = new Set(body.models.map((m) => (isObject(m) ? m.name : undefined)))
    return { ...body, models: [...body.models, ...own.filter((m) => !seen.has(m.name))] }
  }
  return null
}

const readAll = async (res: UpstreamResponse, enc: string | undefined): Promise<Uint8Array> => {
  if (!res.body) return new Uint8Array(0)
  let stream = res.body instanceof Uint8Array ? new Response(res.body).body! : res.body
  if (enc === 'gzip' || enc === 'deflate') {
    stream = stream.pipeThrough(
      new DecompressionStream(enc) as unknown as TransformStream<Uint8Array, Uint8Array>,
    )
  }
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** The client's response for an upstream list answer with status 200. */
export const interceptModelList = async (
  res: UpstreamResponse,
  r: ModelRedirect,
  firstPage: boolean,
): Promise<Response> => {
  const enc = res.headers['content-encoding']
  const headers: Array<[string, string]> = (res.cookies ?? []).map((v) => ['set-cookie', v])
  // An encoding we cannot undo with Web APIs (br, zstd): hand the list over untouched.
  if (enc && enc !== 'identity' && enc !== 'gzip' && enc !== 'deflate') {
    for (const [k, v] of Object.entries(res.headers)) headers.push([k, v])
    return new Response(res.body, { status: res.status, headers })
  }
  for (const [k, v] of Object.entries(res.headers)) {
    if (k !== 'content-length' && k !== 'content-encoding') headers.push([k, v])
  }
  const bytes = await readAll(res, enc)
  let out: Json | null = null
  try {
    out = transformModelList(JSON.parse(new TextDecoder().decode(bytes)), r, firstPage)
  } catch {
    // Not JSON: the upstream's body as it came (decoded).
  }
  return new Response(out ? JSON.stringify(out) : (bytes as Uint8Array<ArrayBuffer>), {
    status: res.status,
    headers,
  })
}
