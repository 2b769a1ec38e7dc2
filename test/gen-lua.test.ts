// The generated script modules match their .lua files: each is what Redis really runs.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { GEN_FILE, LUA_DIRS, luaModulePath, renderLuaModule } from '../adapters/node/gen-lua'

describe('generated Lua modules', () => {
  for (const dir of LUA_DIRS) {
    it(`${dir}/${GEN_FILE} is up to date (else run: npm run gen:lua)`, () => {
      const current = readFileSync(luaModulePath(dir), 'utf8')
      expect(current, `${dir}/${GEN_FILE} is out of date: run npm run gen:lua`).toBe(
        renderLuaModule(dir),
      )
    })
  }
})
