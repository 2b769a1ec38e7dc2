// The request transforms of a group with param overrides or model redirects, precomputed once per
// group (see cache.ts) and applied here. Bodies are spliced, never re-serialised (json-splice.ts).
import type { BodyBytes } from '../http/body'
import { scanTopLevel, spliceTopLevel, textOf } from './json-splice'
import { compileRedirect, isGeminiNative, redirectModel, rewriteModelPath } from './redirect'
import type { ModelRedirect } from './redirect'

export interface RequestTransforms {
  /** Override keys with their JSON value text, serialised once. */
  overrides: ReadonlyMap<string, string>
  redirect: ModelRedirect | null
}

export const compileTransforms = (
  overrides: Record<string, unknown> | null | undefined,
  rules: Record<string, string> | null | undefined,
  strict: boolean,
): RequestTransforms | null => {
  const ov = new Map<string, string>()
  for (const [k, v] of Object.entries(overrides ?? {})) {
    // undefined cannot be written as JSON; it never comes from a stored JSON column anyway.
    if (v !== undefined) ov.set(k, JSON.stringify(v))
  }
  const redirect = compileRedirect(rules, strict)
  return ov.size || redirect ? { overrides: ov, redirect } : null
}

export interface TransformInput {
  channelType: string
  target: string
  body: BodyBytes | null
  contentType: string | string[] | undefined
  /** The body's `stream: true` as the client sent it. */
  bodyStream: boolean
}

export type TransformResult =
  | { ok: true; target: string; body: BodyBytes | null; bodyStream: boolean }
  | { ok: false; message: string }

const isJsonType = (ct: string | string[] | undefined) => {
  const v = Array.isArray(ct) ? ct[0] : ct
  return !v || v.includes('json')
}

export const transformRequest = (t: RequestTransforms, req: TransformInput): TransformResult => {
  let { target, body, bodyStream } = req
  const q = target.indexOf('?')
  const native = isGeminiNative(req.channelType, q < 0 ? target : target.slice(0, q))
  if (t.redirect && native) {
    const r = rewriteModelPath(t.redirect, target)
    if (!r.ok) return r
    target = r.target
  }
  const bodyRedirect = native ? null : t.redirect
  if (!body || (!t.overrides.size && !bodyRedirect) || !isJsonType(req.contentType)) {
    return { ok: true, target, body, bodyStream }
  }
  // Read in the chunks the body came in; only groups with overrides or redirects get here.
  const top = scanTopLevel(body)
  if (!top) return { ok: true, target, body, bodyStream }
  // The group's map, shared by every request: copied only when a redirect adds the model.
  let edits = t.overrides
  if (bodyRedirect) {
    const at = top.fields.get('model')
    const modelText = edits.get('model') ?? (at && textOf(top.bytes.slice(at.start, at.end)))
    const model = modelText ? parseOrNull(modelText) : null
    if (typeof model === 'string' && model) {
      const r = redirectModel(bodyRedirect, model)
      if (!r.ok) return r
      if (r.model !== null) edits = new Map(edits).set('model', JSON.stringify(r.model))
    }
  }
  const stream = edits.get('stream')
  if (stream !== undefined) bodyStream = stream === 'true'
  if (!edits.size) return { ok: true, target, body, bodyStream }
  return { ok: true, target, body: spliceTopLevel(body, edits, top) ?? body, bodyStream }
}

const parseOrNull = (s: string): unknown => {
  try {
    return JSON.parse(s)
  } catch {
    return null
  }
}
