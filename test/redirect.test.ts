// Model redirect and param overrides on the request: body splice, Gemini URL rewrite, strict mode,
// and the stream flag as seen after overrides.
import { describe, expect, it } from 'vitest'
import { joinBody, type BodyBytes } from '../src/http/body'
import { compileRedirect, rewriteModelPath } from '../src/proxy/redirect'
import { compileTransforms, transformRequest } from '../src/proxy/transform'

const enc = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>
const dec = (b: BodyBytes | null) => (b ? new TextDecoder().decode(joinBody(b)) : null)

const run = (
  t: ReturnType<typeof compileTransforms>,
  body: string | null,
  opts: { target?: string; channelType?: string; contentType?: string } = {},
) =>
  transformRequest(t!, {
    channelType: opts.channelType ?? 'openai',
    target: opts.target ?? '/v1/chat/completions',
    body: body === null ? null : enc(body),
    contentType: opts.contentType ?? 'application/json',
    bodyStream: false,
  })

describe('compileTransforms', () => {
  it('is null without overrides and redirects', () => {
    expect(compileTransforms({}, {}, true)).toBeNull()
    expect(compileTransforms(undefined, undefined, false)).toBeNull()
  })
})

describe('body model redirect', () => {
  const loose = compileTransforms({}, { 'gpt-4': 'gpt-4o' }, false)
  const strict = compileTransforms({}, { 'gpt-4': 'gpt-4o' }, true)

  it('replaces the model and nothing else', () => {
    const r = run(loose, '{"model":"gpt-4","seed":12345678901234567890}')
    expect(r.ok && dec(r.body)).toBe('{"model":"gpt-4o","seed":12345678901234567890}')
  })

  it('splices a body that came in chunks as it does one in a piece', () => {
    const text = '{"model":"gpt-4","messages":[{"role":"user","content":"模型 ü"}]}'
    const bytes = enc(text)
    const whole = run(loose, text)
    for (let p = 1; p < bytes.byteLength; p++) {
      const r = transformRequest(loose!, {
        channelType: 'openai',
        target: '/v1/chat/completions',
        body: [bytes.subarray(0, p), bytes.subarray(p)],
        contentType: 'application/json',
        bodyStream: false,
      })
      expect(r.ok && dec(r.body), `cut at ${p}`).toBe(whole.ok && dec(whole.body))
    }
    expect(whole.ok && dec(whole.body)).toContain('"model":"gpt-4o"')
  })

  it('passes unknown models in loose mode and refuses them in strict mode', () => {
    const body = '{"model":"other"}'
    const r = run(loose, body)
    expect(r.ok && dec(r.body)).toBe(body)
    expect(run(strict, body)).toEqual({
      ok: false,
      message: "model 'other' is not configured in redirect rules",
    })
  })

  it('leaves bodies without a model, non-JSON and non-object bodies untouched', () => {
    for (const body of ['{"messages":[]}', 'hello', '[{"model":"gpt-4"}]', '{"model":"gpt-4"']) {
      const r = run(strict, body)
      expect(r.ok && dec(r.body)).toBe(body)
    }
    const form = run(loose, '{"model":"gpt-4"}', { contentType: 'text/plain' })
    expect(form.ok && dec(form.body)).toBe('{"model":"gpt-4"}')
  })

  it('uses the body on Gemini OpenAI-compatible paths', () => {
    const r = run(loose, '{"model":"gpt-4"}', {
      channelType: 'gemini',
      target: '/v1beta/openai/chat/completions',
    })
    expect(r.ok && dec(r.body)).toBe('{"model":"gpt-4o"}')
  })
})

describe('Gemini native URL redirect', () => {
  const r = compileRedirect({ flash: 'gemini-2.0-flash' }, true)!

  it('rewrites the models/{src}:method segment and keeps the query', () => {
    expect(rewriteModelPath(r, '/v1beta/models/flash:streamGenerateContent?alt=sse')).toEqual({
      ok: true,
      target: '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
    })
    expect(rewriteModelPath(r, '/v1beta/models/flash')).toEqual({
      ok: true,
      target: '/v1beta/models/gemini-2.0-flash',
    })
  })

  it('refuses an unknown model in strict mode, passes it in loose mode', () => {
    expect(rewriteModelPath(r, '/v1beta/models/pro:generateContent').ok).toBe(false)
    const loose = compileRedirect({ flash: 'x' }, false)!
    expect(rewriteModelPath(loose, '/v1beta/models/pro:generateContent')).toEqual({
      ok: true,
      target: '/v1beta/models/pro:generateContent',
    })
  })

  it('does not touch tunedModels/ or paths without a model', () => {
    expect(rewriteModelPath(r, '/v1beta/tunedModels/flash:generateContent').ok).toBe(true)
    expect(rewriteModelPath(r, '/v1beta/files')).toEqual({ ok: true, target: '/v1beta/files' })
  })

  it('goes through transformRequest for native paths, leaving the body', () => {
    const t = compileTransforms({}, { flash: 'gemini-2.0-flash' }, false)
    const body = '{"contents":[]}'
    const out = run(t, body, {
      channelType: 'gemini',
      target: '/v1beta/models/flash:generateContent',
    })
    expect(out).toMatchObject({
      ok: true,
      target: '/v1beta/models/gemini-2.0-flash:generateContent',
    })
    expect(out.ok && dec(out.body)).toBe(body)
  })
})

describe('param overrides', () => {
  it('merges top-level keys without re-serialising the rest', () => {
    const t = compileTransforms({ temperature: 0.2, extra: { a: [1] } }, {}, false)
    const r = run(t, '{"id":12345678901234567890,"temperature":1,"x":"é"}')
    expect(r.ok && dec(r.body)).toBe(
      '{"id":12345678901234567890,"temperature":0.2,"x":"é","extra":{"a":[1]}}',
    )
  })

  it('reports the stream flag after overrides (v1 §8.1 #7)', () => {
    const on = run(compileTransforms({ stream: true }, {}, false), '{"model":"a"}')
    expect(on).toMatchObject({ ok: true, bodyStream: true })
    const off = run(compileTransforms({ stream: false }, {}, false), '{"stream":true}')
    expect(off).toMatchObject({ ok: true, bodyStream: false })
  })

  it('redirects the overridden model', () => {
    const t = compileTransforms({ model: 'gpt-4' }, { 'gpt-4': 'gpt-4o' }, true)
    const r = run(t, '{"model":"anything"}')
    expect(r.ok && dec(r.body)).toBe('{"model":"gpt-4o"}')
  })

  it('leaves an empty body alone', () => {
    const r = run(compileTransforms({ a: 1 }, {}, false), null)
    expect(r).toMatchObject({ ok: true, body: null })
  })
})
