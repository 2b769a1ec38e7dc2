// The console's root: preferences, the admin key, and either the login form or the signed-in
// shell. A 401 from any call signs the user out with a message instead of leaving broken pages.
import { useEffect, useMemo, useState } from 'preact/hooks'
import { createApi } from './api'
import { clearAdminKey, loadAdminKey, saveAdminKey } from './auth-store'
import { createTranslate, initialLang, rememberLang, toHttpLang, type Lang } from './i18n'
import { Login } from './pages/login'
import {
  applyTheme,
  initialTheme,
  PrefsContext,
  SessionContext,
  type Prefs,
  type Theme,
} from './prefs'
import { Shell } from './shell'

export const App = () => {
  const [lang, setLangState] = useState<Lang>(initialLang)
  const [theme, setThemeState] = useState<Theme>(initialTheme)
  const [key, setKey] = useState<string | null>(loadAdminKey)
  const [expired, setExpired] = useState(false)

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
  }, [lang])

  const prefs: Prefs = useMemo(
    () => ({
      lang,
      theme,
      t: createTranslate(lang),
      setLang: (l) => {
        rememberLang(l)
        setLangState(l)
      },
      setTheme: (th) => {
        applyTheme(th)
        setThemeState(th)
      },
    }),
    [lang, theme],
  )

  const session = useMemo(() => {
    if (key === null) return null
    const signOut = (why: 'logout' | 'expired') => {
      clearAdminKey()
      setKey(null)
      setExpired(why === 'expired')
    }
    return {
      api: createApi(key, toHttpLang(lang), () => signOut('expired')),
      logout: () => signOut('logout'),
    }
  }, [key, lang])

  const login = (k: string, remember: boolean) => {
    saveAdminKey(k, remember)
    setExpired(false)
    setKey(k)
  }

  return (
    <PrefsContext.Provider value={prefs}>
      {session ? (
        <SessionContext.Provider value={session}>
          <Shell />
        </SessionContext.Provider>
      ) : (
        <Login onLogin={login} expired={expired} />
      )}
    </PrefsContext.Provider>
  )
}
