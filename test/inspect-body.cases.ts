// inspectBody's cases, shared by the Node test and the workerd one.
import { expect, it } from 'vitest'
import { inspectBody } from '../src/proxy/request'

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))
// Over the 64 KiB full-parse limit, with multibyte text and escaped quotes before the keys.
const filler = 'ünïcödé 模型 "quoted" \\ back\\slash '.repeat(4000)
const big = (extra: Record<string, unknown>) =>
  enc({ messages: [{ role: 'user', content: filler }], ...extra })

export const inspectBodyCases = () => {
  const json = 'application/json'
  it('reads model and stream from a small JSON body by parsing it', () => {
    expect(inspectBody(enc({ model: 'gpt-4o', stream: true }), json)).toEqual({
      model: 'gpt-4o',
      stream: true,
    })
    expect(inspectBody(enc({ model: 'gpt-4o', stream: 'yes' }), json).stream).toBe(false)
    expect(inspectBody(enc('{"model": "x", '), json)).toEqual({ model: '', stream: false })
  })

  it('scans a large body, keys after the messages, the model decoded as UTF-8', () => {
    const body = big({ model: 'qwen-模型-ü', stream: true })
    expect(body.byteLength).toBeGreaterThan(64 * 1024)
    expect(inspectBody(body, json)).toEqual({ model: 'qwen-模型-ü', stream: true })
  })

  it('scans a large body with the keys first, and without a stream flag', () => {
    const body = enc(
      `{"model":"gpt-4.1","messages":[{"role":"user","content":${JSON.stringify(filler)}}]}`,
    )
    expect(inspectBody(body, json)).toEqual({ model: 'gpt-4.1', stream: false })
    expect(inspectBody(big({ stream: false }), json)).toEqual({ model: '', stream: false })
  })

  it('leaves a body that is not JSON alone', () => {
    expect(inspectBody(enc({ model: 'm' }), 'text/plain')).toEqual({
      model: '',
      stream: false,
    })
    expect(inspectBody(null, json)).toEqual({ model: '', stream: false })
  })
}
