// What an upstream key may contain: printable ASCII, no spaces. A key travels verbatim in a
// header or a query string, so a control character, a space or a non-ASCII character in it makes
// every request that picks it fail with 502. Imports refuse such keys before writing anything.
import { maskKey } from '../secrets/crypto'
import { badRequest } from '../errors'

const BAD_KEY_CHAR = /[^\x21-\x7e]/u

const hex = (cp: number) => cp.toString(16).toUpperCase().padStart(4, '0')

/** What is wrong with a (trimmed) key, or null when it is usable. */
export const keyProblem = (key: string): string | null => {
  const m = BAD_KEY_CHAR.exec(key)
  if (!m) return null
  const cp = m[0].codePointAt(0)!
  const what =
    cp === 0x0a || cp === 0x0d
      ? 'a line break'
      : /\s/u.test(m[0])
        ? 'whitespace'
        : cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
          ? 'a control character'
          : 'a non-ASCII character'
  return `contains ${what} (U+${hex(cp)}); keys must be printable ASCII without spaces`
}

/** The masked key, with anything but printable ASCII shown as an escape, for error texts. */
export const showKey = (key: string): string =>
  maskKey(key).replace(/[^\x20-\x7e…]/gu, (ch) => `\\u{${hex(ch.codePointAt(0)!)}}`)

const asJsonList = (trimmed: string): string[] | null => {
  if (!trimmed.startsWith('[')) return null
  try {
    const parsed: unknown = JSON.parse(trimmed)
    return Array.isArray(parsed) && parsed.every((k) => typeof k === 'string') ? parsed : null
  } catch {
    return null
  }
}

/**
 * Refuses a key list (as parseKeys reads it: a JSON array of strings, or text split on whitespace,
 * `,` and `;`) that holds an unusable key, naming its line or array entry and the key masked.
 * One bad key refuses the whole import, so nothing is written.
 */
export const checkKeysText = (text: string): void => {
  const list = asJsonList(text.trim())
  if (list) {
    list.forEach((raw, i) => {
      const key = raw.trim()
      const problem = key ? keyProblem(key) : null
      if (problem) throw badRequest(`keys_text: entry ${i + 1}: key ${showKey(key)} ${problem}`)
    })
    return
  }
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    for (const key of line.split(/[\s,;]+/)) {
      const problem = key ? keyProblem(key) : null
      if (problem) throw badRequest(`keys_text: line ${i + 1}: key ${showKey(key)} ${problem}`)
    }
  })
}
