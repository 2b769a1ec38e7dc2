// Sign-in with the admin key: checked with POST /api/auth/login before it is stored, so a wrong
// key is refused here with a clear message rather than by the first page that loads.
import { useState } from 'preact/hooks'
import { checkAdminKey } from '../api'
import { toHttpLang } from '../i18n'
import { usePrefs } from '../prefs'
import { PrefsBar } from '../prefs-bar'

export const Login = (props: {
  onLogin(key: string, remember: boolean): void
  expired: boolean
}) => {
  const { t, lang } = usePrefs()
  const [key, setKey] = useState('')
  const [remember, setRemember] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(props.expired ? t('auth.expired') : null)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      if (await checkAdminKey(key.trim(), toHttpLang(lang))) props.onLogin(key.trim(), remember)
      else setError(t('auth.wrong'))
    } catch (err) {
      setError((err as Error).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="login" id="main">
      <div class="login-prefs">
        <PrefsBar />
      </div>
      <form class="card login-card" onSubmit={submit} aria-describedby="login-intro">
        <h1>{t('auth.title')}</h1>
        <p id="login-intro" class="muted">
          {t('auth.intro')}
        </p>
        <label class="field">
          <span>{t('auth.key')}</span>
          <input
            type="password"
            name="auth_key"
            autocomplete="current-password"
            required
            autoFocus
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            aria-invalid={error !== null}
            aria-describedby={error ? 'login-error' : undefined}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={remember}
            onChange={(e) => setRemember(e.currentTarget.checked)}
          />
          <span>{t('auth.remember')}</span>
        </label>
        {error && (
          <p id="login-error" class="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy || key.trim() === ''}>
          {busy ? t('auth.checking') : t('auth.submit')}
        </button>
      </form>
    </main>
  )
}
