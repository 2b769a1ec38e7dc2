// Model redirect (reference §1.6, §6): `{client_model: upstream_model}`. Body `model` for every
// channel, except Gemini native paths, where the `models/{model}:method` URL segment is rewritten.
// Strict mode turns a model outside the map into a 400.

export interface ModelRedirect {
  map: ReadonlyMap<string, string>
  strict: boolean
}

export type Redirected = { ok: true; model: string | null } | { ok: false; message: string }

export const compileRedirect = (
  rules: Record<string, string> | null | undefined,
  strict: boolean,
): ModelRedirect | null => {
  const entries = Object.entries(rules ?? {})
  return entries.length ? { map: new Map(entries), strict } : null
}

export const notConfigured = (model: string) =>
  `model '${model}' is not configured in redirect rules`

/** The upstream model for `model`: null to leave it as is, or a strict-mode refusal. */
export const redirectModel = (r: ModelRedirect, model: string): Redirected => {
  const dst = r.map.get(model)
  if (dst !== undefined) return { ok: true, model: dst }
  return r.strict ? { ok: false, message: notConfigured(model) } : { ok: true, model: null }
}

/** Native Gemini calls carry the model in the path; the OpenAI-compatible ones in the body. */
export const isGeminiNative = (channelType: string, path: string): boolean =>
  channelType === 'gemini' && !path.includes('v1beta/openai')

// `models/{model}` as a whole segment, up to `:method`, `/` or the end of the path.
const MODEL_SEGMENT = /(^|\/)models\/([^/:?]+)/

/** Rewrites `models/{src}[:method]` in a target (`path?query`); the target itself if no match. */
export const rewriteModelPath = (
  r: ModelRedirect,
  target: string,
): { ok: true; target: string } | { ok: false; message: string } => {
  const q = target.indexOf('?')
  const path = q < 0 ? target : target.slice(0, q)
  const m = MODEL_SEGMENT.exec(path)
  if (!m) return { ok: true, target }
  let src = m[2]
  try {
    src = decodeURIComponent(src)
  } catch {
    // A malformed escape: look the raw segment up.
  }
  const res = redirectModel(r, src)
  if (!res.ok) return res
  if (res.model === null) return { ok: true, target }
  const at = m.index + m[1].length + 'models/'.length
  const rewritten = path.slice(0, at) + encodeURIComponent(res.model) + path.slice(at + m[2].length)
  return { ok: true, target: q < 0 ? rewritten : rewritten + target.slice(q) }
}
