// The user's preferences (language, theme) and the signed-in session (API client, logout),
// shared through one context so every page reads them with `usePrefs()` / `useSession()`.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Api } from './api'
import type { Lang, Translate } from './i18n'

export type Theme = 'system' | 'light' | 'dark'

export interface Prefs {
  lang: Lang
  setLang(lang: Lang): void
  theme: Theme
  setTheme(theme: Theme): void
  t: Translate
}

export interface Session {
  api: Api
  logout(): void
}

export const PrefsContext = createContext<Prefs | null>(null)
export const SessionContext = createContext<Session | null>(null)

const need = <T,>(v: T | null, what: string): T => {
  if (v === null) throw new Error(`${what} used outside its provider`)
  return v
}

export const usePrefs = () => need(useContext(PrefsContext), 'usePrefs')
export const useSession = () => need(useContext(SessionContext), 'useSession')

const THEME_KEY = 'edgeload.theme'

export const initialTheme = (): Theme => {
  const saved = localStorage.getItem(THEME_KEY)
  return saved === 'light' || saved === 'dark' ? saved : 'system'
}

/** `data-theme` overrides the system's choice; without it, CSS follows prefers-color-scheme. */
export const applyTheme = (theme: Theme) => {
  const root = document.documentElement
  if (theme === 'system') {
    delete root.dataset.theme
    localStorage.removeItem(THEME_KEY)
  } else {
    root.dataset.theme = theme
    localStorage.setItem(THEME_KEY, theme)
  }
}
