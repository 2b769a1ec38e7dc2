// The language and theme switchers, shown in the header and on the login page.
import { LANGS, type Lang } from './i18n'
import { usePrefs, type Theme } from './prefs'

const THEMES: Theme[] = ['system', 'light', 'dark']

export const PrefsBar = () => {
  const { t, lang, setLang, theme, setTheme } = usePrefs()
  return (
    <div class="prefs">
      <label>
        <span class="sr-only">{t('prefs.language')}</span>
        <select
          value={lang}
          onChange={(e) => setLang(e.currentTarget.value as Lang)}
          aria-label={t('prefs.language')}
        >
          {LANGS.map((l) => (
            <option value={l.value}>{l.label}</option>
          ))}
        </select>
      </label>
      <label>
        <span class="sr-only">{t('prefs.theme')}</span>
        <select
          value={theme}
          onChange={(e) => setTheme(e.currentTarget.value as Theme)}
          aria-label={t('prefs.theme')}
        >
          {THEMES.map((th) => (
            <option value={th}>{t(`prefs.theme.${th}`)}</option>
          ))}
        </select>
      </label>
    </div>
  )
}
