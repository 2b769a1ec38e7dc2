// A request body in chunks (src/http/body.ts): its length, and the join that only some paths need.
import { describe, expect, it } from 'vitest'
import { bodyLength, joinBody, onePiece } from '../src/http/body'

const bytes = (s: string) => new TextEncoder().encode(s)

describe('request body in chunks', () => {
  it('measures and joins the chunks in order, empty ones included', () => {
    const parts = [bytes('{"mo'), new Uint8Array(0), bytes('del":"模'), bytes('型"}')]
    expect(bodyLength(parts)).toBe(bytes('{"model":"模型"}').byteLength)
    expect(new TextDecoder().decode(joinBody(parts))).toBe('{"model":"模型"}')
    expect(bodyLength(bytes('abc'))).toBe(3)
  })

  it('joins a body once however often it is asked, and leaves one piece as it is', () => {
    const parts = [bytes('a'), bytes('b')]
    const first = joinBody(parts)
    expect(joinBody(parts)).toBe(first)
    // Another body with the same bytes is its own join.
    expect(joinBody([bytes('a'), bytes('b')])).not.toBe(first)
    const one = bytes('x')
    expect(joinBody(one)).toBe(one)
    expect(joinBody([one])).toBe(one)
  })

  it('hands a one-piece fetch the body joined, and strings and null as they are', () => {
    expect(new TextDecoder().decode(onePiece([bytes('a'), bytes('b')]) as Uint8Array)).toBe('ab')
    expect(onePiece('text')).toBe('text')
    expect(onePiece(null)).toBeNull()
  })
})
