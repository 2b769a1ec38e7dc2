// inspectBody's cases, shared by the Node test and the workerd one.
import { expect, it } from 'vitest'
import { inspectBody } from '../src/proxy/request'

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v))
/** `bytes` cut at the given positions, as the Node adapter hands over a body in its chunks. */
const cut = (bytes: Uint8Array, at: number[]) => {
  const ends = [...at, bytes.byteLength].sort((a, b) => a - b)
  let from = 0
  return ends.map((end) => bytes.subarray(from, (from = end)))
}
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

  it('scans the edge cases of a large body as the text patterns did', () => {
    const at = (text: string) => inspectBody(enc(`{"pad":"${'p'.repeat(70_000)}",${text}}`), json)
    // The first "model" with a string value wins; a number does not count.
    expect(at('"model": 5, "x": {"model" :\n "real"}, "model": "later"').model).toBe('real')
    // An escaped "model" inside text is not a key; the raw escapes of the value are kept.
    expect(at('"c": "say \\"model\\": \\"fake\\"", "model": "a\\"b\\\\"').model).toBe('a\\"b\\\\')
    expect(at('"model": "never closed').model).toBe('')
    expect(at('"stream" :\ttrue').stream).toBe(true)
    expect(at('"stream": trueish, "model": "m"')).toEqual({ model: 'm', stream: false })
    expect(at('"upstream": true, "stream": false').stream).toBe(false)
    expect(at('"stream": false, "x": {"stream": true}').stream).toBe(true)
  })

  it('agrees with the text patterns on random large bodies', () => {
    const MODEL_RE = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/
    const STREAM_RE = /"stream"\s*:\s*true\b/
    const parts = [
      '"model"',
      '"stream"',
      ': ',
      ':',
      '"',
      '\\',
      '\\"',
      'true',
      'truex',
      ' ',
      '\n',
      '"m-1"',
      'ü',
      '模',
      '{',
      '}',
      ',',
      '"x"',
      'false',
      '"upstream"',
      'x'.repeat(500),
    ]
    let seed = 7
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let round = 0; round < 300; round++) {
      let text = 'y'.repeat(66_000)
      for (let k = rand(60); k > 0; k--) text += parts[rand(parts.length)]
      const m = MODEL_RE.exec(text)
      const want = { model: m ? m[1] : '', stream: STREAM_RE.test(text) }
      const bytes = enc(text)
      expect(inspectBody(bytes, json), text.slice(66_000)).toEqual(want)
      // The same body in chunks, cut in the filler and at random points of the tail.
      const tail = bytes.byteLength - 66_000
      const cuts = [rand(66_000), ...Array.from({ length: rand(6) }, () => 66_000 + rand(tail))]
      expect(inspectBody(cut(bytes, cuts), json), `${cuts}`).toEqual(want)
    }
  })

  it('reads a body in chunks as in one piece, wherever the chunks end', () => {
    const tail = '"c": "\\"model\\": 1", "model" : "a\\"b-模型", "upstream": true, "stream":\ttrue}'
    const bytes = enc(`{"pad":"${'p'.repeat(70_000)}",${tail}`)
    const want = { model: 'a\\"b-模型', stream: true }
    expect(inspectBody(bytes, json)).toEqual(want)
    const start = bytes.byteLength - enc(tail).byteLength - 2
    for (let p = start; p < bytes.byteLength; p++) {
      // One cut, and three in a row: pieces of one byte, and an empty one.
      expect(inspectBody(cut(bytes, [p]), json), `cut at ${p}`).toEqual(want)
      expect(inspectBody(cut(bytes, [p, p, p + 1, p + 2]), json), `cuts at ${p}`).toEqual(want)
    }
    // A small body in chunks is parsed whole.
    const small = enc({ model: 'gpt-4o', stream: true })
    expect(inspectBody(cut(small, [1, 9]), json)).toEqual({ model: 'gpt-4o', stream: true })
    expect(inspectBody([], json)).toEqual({ model: '', stream: false })
  })

  it('leaves a body that is not JSON alone', () => {
    expect(inspectBody(enc({ model: 'm' }), 'text/plain')).toEqual({
      model: '',
      stream: false,
    })
    expect(inspectBody(null, json)).toEqual({ model: '', stream: false })
  })
}
