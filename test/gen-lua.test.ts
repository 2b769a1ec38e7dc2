// The generated script modules match their .lua files (each is what Redis really runs), and the
// scripts keep to what Redis 5+ and Upstash's EVAL run: Lua 5.1, RESP2, no functions API.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GEN_FILE, LUA_DIRS, luaModulePath, renderLuaModule } from '../adapters/node/gen-lua'

/** What Redis 5/Upstash scripts must not use, with why. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/redis\.setresp/, 'RESP3 is Redis 6+ only'],
  [/register_function|#!lua/, 'the functions API is Redis 7+ only'],
  [/redis\.call\(\s*'(KEYS|SCAN)'/i, 'a scan of the keyspace is O(all keys)'],
  [/\bgoto\b|\/\/|table\.unpack|math\.tointeger|\butf8\./, 'Redis runs Lua 5.1'],
]

describe('generated Lua modules', () => {
  for (const dir of LUA_DIRS) {
    it(`${dir}/${GEN_FILE} is up to date (else run: npm run gen:lua)`, () => {
      const current = readFileSync(luaModulePath(dir), 'utf8')
      expect(current, `${dir}/${GEN_FILE} is out of date: run npm run gen:lua`).toBe(
        renderLuaModule(dir),
      )
    })

    it(`${dir}: the scripts run on Redis 5+ and Upstash`, () => {
      const folder = join(luaModulePath(dir), '..')
      for (const file of readdirSync(folder).filter((f) => f.endsWith('.lua'))) {
        const code = readFileSync(join(folder, file), 'utf8').replace(/--.*$/gm, '')
        for (const [pattern, why] of FORBIDDEN) {
          expect(pattern.test(code), `${file}: ${pattern} (${why})`).toBe(false)
        }
      }
    })
  }
})
