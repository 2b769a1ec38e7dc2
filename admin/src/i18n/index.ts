// Languages of the console: the browser's language picks the first one, the switcher remembers
// the user's choice in localStorage.
import { en } from './en'
import { groupsEn, groupsZh } from './groups'
import { keysEn, keysZh } from './keys'
import { logsEn, logsZh } from './logs'
import { zh } from './zh'

export type Lang = 'en' | 'zh'
export type MessageId =
  keyof typeof en | keyof typeof logsEn | keyof typeof keysEn | keyof typeof groupsEn
export type Translate = (id: MessageId, vars?: Record<string, string | number>) => string

const MESSAGES: Record<Lang, Record<MessageId, string>> = {
  en: { ...en, ...logsEn, ...keysEn, ...groupsEn },
  zh: { ...zh, ...logsZh, ...keysZh, ...groupsZh },
}
const STORE_KEY = 'edgeload.lang'

export const LANGS: { value: Lang; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'zh', label: '简体中文' },
]

export const initialLang = (): Lang => {
  const saved = localStorage.getItem(STORE_KEY)
  if (saved === 'en' || saved === 'zh') return saved
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en'
}

export const rememberLang = (lang: Lang) => localStorage.setItem(STORE_KEY, lang)

/** The Accept-Language the API gets, so its own messages (chart labels) match the UI. */
export const toHttpLang = (lang: Lang) => (lang === 'zh' ? 'zh-CN' : 'en-US')

export const createTranslate =
  (lang: Lang): Translate =>
  (id, vars) =>
    MESSAGES[lang][id].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? ''))
