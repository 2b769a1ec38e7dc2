// Entry point: applies the saved theme before the first paint, then mounts the console.
import { render } from 'preact'
import { LocationProvider } from 'preact-iso'
import { App } from './app'
import { applyTheme, initialTheme } from './prefs'
import './styles/base.css'
import './styles/layout.css'
import './styles/pages.css'

applyTheme(initialTheme())
render(
  <LocationProvider>
    <App />
  </LocationProvider>,
  document.getElementById('app')!,
)
