// The console's message catalogues: both languages complete and consistent, and every system
// setting named in Chinese.
import { describe, expect, it } from 'vitest'
import { en } from '../admin/src/i18n/en'
import { groupsEn, groupsZh } from '../admin/src/i18n/groups'
import { createTranslate, type MessageId } from '../admin/src/i18n/index'
import { keysEn, keysZh } from '../admin/src/i18n/keys'
import { logsEn, logsZh } from '../admin/src/i18n/logs'
import { toSettingText } from '../admin/src/i18n/settings'
import { zh } from '../admin/src/i18n/zh'
import { SETTING_DEFS } from '../src/config/setting-defs'

describe('i18n', () => {
  const catalogues: [string, Record<string, string>, Record<string, string>][] = [
    ['common', en, zh],
    ['logs', logsEn, logsZh],
    ['keys', keysEn, keysZh],
    ['groups', groupsEn, groupsZh],
  ]
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

  it.each(catalogues)('%s: every language has every id, none empty', (_name, enMsgs, zhMsgs) => {
    expect(Object.keys(zhMsgs).sort()).toEqual(Object.keys(enMsgs).sort())
    for (const [id, text] of [...Object.entries(enMsgs), ...Object.entries(zhMsgs)])
      expect(text.trim(), id).not.toBe('')
  })

  it.each(catalogues)('%s: both languages use the same {vars}', (_name, enMsgs, zhMsgs) => {
    for (const id of Object.keys(enMsgs))
      expect(placeholders(zhMsgs[id] ?? ''), id).toEqual(placeholders(enMsgs[id]!))
  })

  it('no id is defined twice across catalogues', () => {
    const ids = catalogues.flatMap(([, e]) => Object.keys(e))
    expect(ids.length).toBe(new Set(ids).size)
  })

  it('every system setting, overridable ones included, has a Chinese name and description', () => {
    for (const d of SETTING_DEFS) {
      const text = toSettingText('zh', d)
      expect(text.name, d.key).not.toBe(d.name)
      expect(text.description, d.key).not.toBe(d.description)
      expect(text.name + text.description, d.key).toMatch(/[\u4e00-\u9fff]/)
    }
    expect(toSettingText('en', SETTING_DEFS[0]!).name).toBe(SETTING_DEFS[0]!.name)
  })

  it('substitutes {vars}, blanks missing ones and leaves plain text alone', () => {
    const t = createTranslate('en')
    expect(t('common.page', { page: 2, pages: 5, total: 98 })).toBe('Page 2 of 5 · 98 in all')
    expect(t('grp.moved', { name: 'alpha', pos: 3 })).toBe('alpha moved to position 3')
    expect(t('grp.moved', { name: 'alpha' })).toBe('alpha moved to position ')
    expect(t('app.name')).toBe('edgeload')
    const tz = createTranslate('zh')
    expect(tz('common.page' as MessageId, { page: 1, pages: 1, total: 0 })).toMatch(/1.*1.*0/)
    expect(tz('nav.dashboard')).toBe('仪表盘')
  })
})
