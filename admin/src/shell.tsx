// The signed-in layout: header, navigation and the routed page. A page that throws while
// rendering is replaced by an error box, so the console never goes blank.
import { ErrorBoundary, Route, Router, useLocation } from 'preact-iso'
import { useEffect, useErrorBoundary } from 'preact/hooks'
import type { MessageId } from './i18n'
import { Dashboard } from './pages/dashboard'
import { Groups } from './pages/groups'
import { Logs } from './pages/logs'
import { Settings } from './pages/settings'
import { PrefsBar } from './prefs-bar'
import { usePrefs, useSession } from './prefs'
import { ErrorBox } from './ui'

const NAV: { href: string; label: MessageId }[] = [
  { href: '/', label: 'nav.dashboard' },
  { href: '/groups', label: 'nav.groups' },
  { href: '/logs', label: 'nav.logs' },
  { href: '/settings', label: 'nav.settings' },
]

const isCurrent = (href: string, path: string) =>
  href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`)

const NotFound = () => <p>{usePrefs().t('common.notFound')}</p>

const Page = ({ path }: { path: string }) => {
  const [error, reset] = useErrorBoundary()
  // Leaving the page that failed clears its error, so the next page renders normally.
  useEffect(() => {
    if (error) reset()
  }, [path])
  if (error) return <ErrorBox message={String((error as Error).message ?? error)} onRetry={reset} />
  return (
    <ErrorBoundary>
      <Router>
        <Route path="/" component={Dashboard} />
        <Route path="/groups" component={Groups} />
        <Route path="/groups/:id" component={Groups} />
        <Route path="/groups/:id/:view" component={Groups} />
        <Route path="/logs" component={Logs} />
        <Route path="/settings" component={Settings} />
        <Route default component={NotFound} />
      </Router>
    </ErrorBoundary>
  )
}

export const Shell = () => {
  const { t } = usePrefs()
  const { logout } = useSession()
  const { path } = useLocation()
  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <a class="brand" href="/">
          {t('app.name')}
        </a>
        <nav aria-label={t('nav.label')}>
          {NAV.map((n) => (
            <a href={n.href} aria-current={isCurrent(n.href, path) ? 'page' : undefined}>
              {t(n.label)}
            </a>
          ))}
        </nav>
        <div class="top-end">
          <PrefsBar />
          <button type="button" class="btn btn-small" onClick={logout}>
            {t('auth.logout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} />
      </main>
    </>
  )
}
