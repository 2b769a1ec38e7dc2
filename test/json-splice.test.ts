// The top-level JSON scanner and splicer: values found past nested and escaped text, and every
// byte the overrides do not touch kept as the client sent it.
import { describe, expect, it } from 'vitest'
import { seeded } from './helpers/seeded'
import { joinBody, type BodyBytes } from '../src/http/body'
import { scanTopLevel as scanBytes, spliceTopLevel as spliceBytes } from '../src/proxy/json-splice'

const enc = (s: string) => new TextEncoder().encode(s)
const dec = (b: BodyBytes) => new TextDecoder().decode(joinBody(b))
/** The text's bytes cut into chunks of 1 to 8 bytes, as a socket might deliver them. */
const chunked = (s: string, rnd: () => number) => {
  const b = enc(s)
  const out: Uint8Array[] = []
  for (let i = 0; i < b.length;) {
    const n = 1 + Math.floor(rnd() * 8)
    out.push(b.slice(i, i + n))
    i += n
  }
  return out
}
// The splicer works on the body's bytes; these read and write them as text.
const scanTopLevel = (s: string) => scanBytes(enc(s))
const spliceTopLevel = (s: string, values: Array<[string, string]>) => {
  const out = spliceBytes(enc(s), values)
  return out && dec(out)
}
const valueOf = (s: string, key: string) => {
  const b = enc(s)
  const at = scanBytes(b)?.fields.get(key)
  return at ? dec(b.subarray(at.start, at.end)) : null
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

  it('tells keys apart whose bytes hash alike, and keys it has seen before', () => {
    // "Aa" and "BB" have the same length and the same 31-multiplier hash.
    expect(valueOf('{"Aa":1,"BB":2}', 'BB')).toBe('2')
    expect([...scanTopLevel('{"BB":1,"Aa":2}')!.fields.keys()]).toEqual(['BB', 'Aa'])
    // More distinct keys than the cache holds (it is cleared when full), each read twice.
    const keys = Array.from({ length: 1200 }, (_, i) => `key-${i}`)
    const text = `{${keys.map((k, i) => `"${k}":${i}`).join(',')}}`
    for (let round = 0; round < 2; round++)
      expect([...scanTopLevel(text)!.fields.keys()]).toEqual(keys)
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

  it('finds escaped quotes and backslash runs by byte, past multi-byte characters', () => {
    const s = '{"a":"\\\\\\"","b":"x\\"y\\\\\\"z","c":["é","🌍\\\\"],"d":2}'
    expect(JSON.parse(s)).toMatchObject({ a: '\\"', d: 2 })
    expect(valueOf(s, 'a')).toBe('"\\\\\\""')
    expect(valueOf(s, 'c')).toBe('["é","🌍\\\\"]')
    expect(valueOf(s, 'd')).toBe('2')
  })

  it('skips a 1 MiB string and finds the fields after it', () => {
    const big = `{"messages":[{"role":"user","content":"${'x'.repeat(1 << 20)}\\\\"}],"model":"m"}`
    expect(valueOf(big, 'model')).toBe('"m"')
  })

  it('refuses a key that is not UTF-8, and keeps bytes that are not inside a value', () => {
    const bad = Uint8Array.of(...enc('{"'), 0xff, ...enc('":1}'))
    expect(scanBytes(bad)).toBeNull()
    const inValue = Uint8Array.of(...enc('{"s":"'), 0xc3, ...enc('","t":1}'))
    const out = spliceBytes(inValue, [['t', '2']])!
    expect([...out]).toEqual([...enc('{"s":"'), 0xc3, ...enc('","t":2}')])
  })

  it('reads plain ASCII keys of any length and refuses a raw control character in one', () => {
    const long = 'k'.repeat(62) // 64 bytes with its quotes, the longest read without the decoder
    const s = `{"${long}":1,"${long}x":2,"a b~":3}`
    expect(valueOf(s, long)).toBe('1')
    expect(valueOf(s, `${long}x`)).toBe('2')
    expect(valueOf(s, 'a b~')).toBe('3')
    expect(scanTopLevel('{"a\\u0001b":1}')?.fields.has('a\u0001b')).toBe(true)
    expect(scanBytes(Uint8Array.of(...enc('{"a'), 0x01, ...enc('b":1}')))).toBeNull()
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

  it('replaces by byte offset after multi-byte characters', () => {
    expect(spliceTopLevel('{"s":"héllo 🌍","t":1,"u":"ü"}', [['t', '"ä"']])).toBe(
      '{"s":"héllo 🌍","t":"ä","u":"ü"}',
    )
  })

  it('escapes appended key names', () => {
    expect(spliceTopLevel('{}', [['a"b', '1']])).toBe('{"a\\"b":1}')
  })

  it('gives the same bytes for repeated values, past the cache of encoded values', () => {
    // More distinct values than the cache holds (it is cleared when full), each spliced twice.
    for (let i = 0; i < 1200; i++) {
      const v = `"model-${i % 600}"`
      expect(
        spliceTopLevel('{"model":"a","n":1}', [
          ['model', v],
          [`k${i % 600}`, v],
        ]),
      ).toBe(`{"model":${v},"n":1,"k${i % 600}":${v}}`)
    }
  })

  it('keeps every output intact while later ones are written', () => {
    // Small outputs share slabs of memory: thousands of them fill several.
    const outs = Array.from({ length: 5000 }, (_, i) => [
      i,
      spliceBytes(enc(`{"n":${i},"pad":"${'x'.repeat(i % 50)}"}`), [['n', String(i * 7)]])!,
    ])
    const big = spliceBytes(enc(`{"s":"${'y'.repeat(10_000)}"}`), [['t', '1']])!
    for (const [i, out] of outs as Array<[number, BodyBytes]>)
      expect(JSON.parse(dec(out))).toEqual({ n: i * 7, pad: 'x'.repeat(i % 50) })
    expect(JSON.parse(dec(big))).toEqual({ s: 'y'.repeat(10_000), t: 1 })
  })

  it('reads a large body in its chunks and leaves the result in pieces, not copied', () => {
    const text = `{"model":"m","messages":[{"content":"${'y'.repeat(200_000)}"}],"n":1}`
    const b = enc(text)
    const parts = [b.slice(0, 65_536), b.slice(65_536, 131_072), b.slice(131_072)]
    const out = spliceBytes(parts, [
      ['n', '2'],
      ['temperature', '0.2'],
    ])!
    expect(Array.isArray(out)).toBe(true)
    expect((out as Uint8Array[]).some((p) => p.buffer === parts[1]!.buffer)).toBe(true)
    expect(JSON.parse(dec(out))).toEqual({ ...JSON.parse(text), n: 2, temperature: 0.2 })
  })

  it('leaves non-object bodies alone (null)', () => {
    expect(spliceTopLevel('[{"a":1}]', [['a', '2']])).toBeNull()
    expect(spliceTopLevel('not json', [['a', '2']])).toBeNull()
  })
})

describe('against JSON.parse, on random objects', () => {
  const PIECES = [
    'a',
    'é',
    '🌍',
    '"',
    '\\',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    ' ',
    '\n',
    '\u0000',
    'x'.repeat(40),
  ]
  const make = (rnd: () => number) => {
    const int = (n: number) => Math.floor(rnd() * n)
    const str = () => Array.from({ length: int(6) }, () => PIECES[int(PIECES.length)]).join('')
    const value = (depth: number): unknown => {
      const kind = int(depth > 2 ? 4 : 6)
      if (kind === 0) return str()
      if (kind === 1) return rnd() * 1e6 - 5e5
      if (kind === 2) return [true, false, null][int(3)]
      if (kind === 3) return int(1000)
      if (kind === 4) return Array.from({ length: int(4) }, () => value(depth + 1))
      return Object.fromEntries(Array.from({ length: int(4) }, () => [str(), value(depth + 1)]))
    }
    return Object.fromEntries(Array.from({ length: 1 + int(6) }, () => [str(), value(0)]))
  }

  it('finds every top-level value, and a splice parses as the overridden object', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = seeded(seed)
      const obj = make(rnd)
      const text = JSON.stringify(obj, null, [0, 1, '\t'][seed % 3])
      const top = scanTopLevel(text)
      expect(top, `seed ${seed}`).not.toBeNull()
      expect([...top!.fields.keys()].sort(), `seed ${seed}`).toEqual(Object.keys(obj).sort())
      for (const k of Object.keys(obj)) expect(JSON.parse(valueOf(text, k)!)).toEqual(obj[k])
      const key = Object.keys(obj)[Math.floor(rnd() * Object.keys(obj).length)]!
      const out = spliceTopLevel(text, [
        [key, '{"n":[1,"}"]}'],
        ['new "key"', '"v"'],
      ])
      // The same body in chunks of a few bytes: the same fields, the same result.
      const parts = chunked(text, rnd)
      expect(scanBytes(parts)?.fields, `seed ${seed}`).toEqual(top!.fields)
      const fromParts = spliceBytes(parts, [
        [key, '{"n":[1,"}"]}'],
        ['new "key"', '"v"'],
      ])
      expect(dec(fromParts!), `seed ${seed}`).toBe(out)
      expect(JSON.parse(out!), `seed ${seed}`).toEqual({
        ...obj,
        [key]: { n: [1, '}'] },
        'new "key"': 'v',
      })
    }
  })

  it('never throws on cut or corrupted bytes', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = seeded(seed)
      const b = enc(JSON.stringify(make(rnd)))
      const cut = b.subarray(0, Math.floor(rnd() * b.length))
      const flipped = Uint8Array.from(b)
      flipped[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256)
      for (const x of [cut, flipped]) {
        expect(() => spliceBytes(x, [['k', '1']]), `seed ${seed}`).not.toThrow()
        const k = Math.floor(rnd() * x.length)
        const two = [x.subarray(0, k), x.subarray(k)]
        expect(() => spliceBytes(two, [['k', '1']]), `seed ${seed}`).not.toThrow()
        // What it accepts is an object JSON.parse reads too (keys may be split apart by a cut).
        if (scanBytes(x) && x === cut) expect(() => JSON.parse(dec(x))).not.toThrow()
      }
    }
  })
})
