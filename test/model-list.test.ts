// Model-list interception: both list shapes, strict and loose, paging, encodings, passthrough.
import { describe, expect, it } from 'vitest'
import type { UpstreamResponse } from '../src/deps'
import { interceptModelList, isModelListRequest, transformModelList } from '../src/proxy/model-list'
import { compileRedirect } from '../src/proxy/redirect'

const loose = compileRedirect({ 'my-a': 'gpt-4o', 'gpt-4o': 'gpt-4.1' }, false)!
const strict = compileRedirect({ 'my-a': 'gpt-4o' }, true)!

describe('isModelListRequest', () => {
  it.each([
    ['/v1/models', true],
    ['/v1/models/', true],
    ['/v1beta/models', true],
    ['/v1beta/openai/models', true],
    ['/v1beta/openai/v1/models', true],
    ['/api/v1/models', true],
    ['/v1/models/gpt-4o', false],
    ['/v1/chat/completions', false],
  ])('%s → %s', (path, want) => {
    expect(isModelListRequest('GET', path)).toBe(want)
  })

  it('only for GET', () => expect(isModelListRequest('POST', '/v1/models')).toBe(false))
})

describe('transformModelList', () => {
  const openai = { object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] }
  const gemini = { models: [{ name: 'models/gemini-2.0-flash' }], nextPageToken: 'p2' }

  it('OpenAI strict: only the configured source models', () => {
    expect(transformModelList(openai, strict, true)).toEqual({
      object: 'list',
      data: [{ id: 'my-a', object: 'model', created: 0, owned_by: 'system' }],
    })
  })

  it('OpenAI loose: the upstream list plus configured ids not present', () => {
    expect(transformModelList(openai, loose, true)).toEqual({
      object: 'list',
      data: [
        { id: 'gpt-4o', object: 'model' },
        { id: 'my-a', object: 'model', created: 0, owned_by: 'system' },
      ],
    })
  })

  it('Gemini strict: configured models, no nextPageToken', () => {
    expect(transformModelList(gemini, strict, false)).toEqual({
      models: [
        {
          name: 'models/my-a',
          displayName: 'my-a',
          supportedGenerationMethods: ['generateContent'],
        },
      ],
    })
  })

  it('Gemini loose: merged on the first page only', () => {
    const out = transformModelList(gemini, loose, true)
    expect(out?.models).toHaveLength(3)
    expect(out?.nextPageToken).toBe('p2')
    expect(transformModelList(gemini, loose, false)).toBeNull()
  })

  it('unknown shapes are left alone', () => {
    expect(transformModelList({ foo: 1 }, strict, true)).toBeNull()
    expect(transformModelList([1], strict, true)).toBeNull()
  })
})

const upstream = (body: unknown, headers: Record<string, string> = {}): UpstreamResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json', 'x-up': '1', 'content-length': '999', ...headers },
  body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
})

describe('interceptModelList', () => {
  it('keeps status and headers, drops content-length', async () => {
    const res = await interceptModelList(upstream({ data: [] }), strict, true)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-up')).toBe('1')
    expect(res.headers.get('content-length')).not.toBe('999')
    expect((await res.json()).data[0].id).toBe('my-a')
  })

  it('decodes a gzip list', async () => {
    const gz = new Response(
      new Blob([JSON.stringify({ data: [] })]).stream().pipeThrough(new CompressionStream('gzip')),
    )
    const res = await interceptModelList(
      {
        status: 200,
        headers: { 'content-encoding': 'gzip' },
        body: new Uint8Array(await gz.arrayBuffer()),
      },
      strict,
      true,
    )
    expect(res.headers.get('content-encoding')).toBeNull()
    expect((await res.json()).data).toHaveLength(1)
  })

  it('passes a non-JSON body through', async () => {
    const res = await interceptModelList(upstream('oops'), strict, true)
    expect(await res.text()).toBe('oops')
  })
})
