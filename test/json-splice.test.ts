// The top-level JSON scanner and splicer: values found past nested and escaped text, and every
// byte the overrides do not touch kept as the client sent it.
import { describe, expect, it } from 'vitest'
import { scanTopLevel, spliceTopLevel } from '../src/proxy/json-splice'

const valueOf = (s: string, key: string) => {
  const at = scanTopLevel(s)?.fields.get(key)
  return at ? s.slice(at.start, at.end) : null
}

describe('scanTopLevel', () => {
  it('finds top-level values past nested objects, arrays and tricky strings', () => {
    const s = `{"a":{"model":"x","b":[1,{"c":"}"}]},"s":"q\\"}{,","model" : "gpt-4" ,"n":null}`
    expect(valueOf(s, 'a')).toBe('{"model":"x","b":[1,{"c":"}"}]}')
    expect(valueOf(s, 's')).toBe('"q\\"}{,"')
    expect(valueOf(s, 'model')).toBe('"gpt-4"')
    expect(valueOf(s, 'n')).toBe('null')
    expect([...scanTopLevel(s)!.fields.keys()]).toEqual(['a', 's', 'model', 'n'])
  })

  it('decodes escaped keys and keeps the last duplicate, as JSON.parse does', () => {
    const s = '{"mo\\u0064el":1,"x":2,"model":3}'
    expect(valueOf(s, 'model')).toBe('3')
  })

  it('handles whitespace, unicode and a trailing backslash pair in strings', () => {
    const s = '\n {\t"k" :\r\n "héllo 🌍\\\\" ,\n "n": -1.5e3 }\n'
    expect(valueOf(s, 'k')).toBe('"héllo 🌍\\\\"')
    expect(valueOf(s, 'n')).toBe('-1.5e3')
  })

  it.each([
    ['array', '[1,2]'],
    ['string', '"x"'],
    ['number', '42'],
    ['empty', ''],
    ['unterminated', '{"a":1'],
    ['unterminated string', '{"a":"x}'],
    ['trailing text', '{"a":1} x'],
    ['missing colon', '{"a" 1}'],
    ['bare key', '{a:1}'],
    ['trailing comma', '{"a":1,}'],
    ['unbalanced nested', '{"a":{"b":1}'],
  ])('returns null for a non-object body: %s', (_, s) => {
    expect(scanTopLevel(s)).toBeNull()
  })

  it('accepts an empty object', () => {
    expect(scanTopLevel(' { } ')?.fields.size).toBe(0)
  })
})

describe('spliceTopLevel', () => {
  it('replaces in place and keeps big integers and key order byte for byte', () => {
    const s = '{"id": 12345678901234567890, "temperature":1,"nested":{"temperature":5}, "z":0.10}'
    const out = spliceTopLevel(s, [['temperature', '0.2']])
    expect(out).toBe(
      '{"id": 12345678901234567890, "temperature":0.2,"nested":{"temperature":5}, "z":0.10}',
    )
  })

  it('appends missing keys before the closing brace', () => {
    expect(
      spliceTopLevel('{"a":1}\n', [
        ['b', '{"c":[1]}'],
        ['d', 'true'],
      ]),
    ).toBe('{"a":1,"b":{"c":[1]},"d":true}\n')
    expect(spliceTopLevel('{ }', [['b', '1']])).toBe('{ "b":1}')
  })

  it('mixes replacements and appends regardless of their order in the list', () => {
    const s = '{"stream":false,"model":"a","big":98765432109876543210}'
    const out = spliceTopLevel(s, [
      ['extra', '"x"'],
      ['model', '"b"'],
      ['stream', 'true'],
    ])
    expect(out).toBe('{"stream":true,"model":"b","big":98765432109876543210,"extra":"x"}')
    expect(JSON.parse(out!)).toMatchObject({ stream: true, model: 'b', extra: 'x' })
  })

  it('escapes appended key names', () => {
    expect(spliceTopLevel('{}', [['a"b', '1']])).toBe('{"a\\"b":1}')
  })

  it('leaves non-object bodies alone (null)', () => {
    expect(spliceTopLevel('[{"a":1}]', [['a', '2']])).toBeNull()
    expect(spliceTopLevel('not json', [['a', '2']])).toBeNull()
  })
})
