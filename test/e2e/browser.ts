// The e2e harness: builds the admin console if needed (helpers/admin-build.ts), drives Debian's
// Chromium through playwright-core (never `npx playwright install`: no browser downloads), and
// starts the world each e2e file runs in (fake upstream, gateway, browser).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { ensureAdminBuilt } from '../helpers/admin-build'
import {
  startFakeUpstream,
  type FakeUpstream,
  type FakeUpstreamOptions,
} from '../helpers/fake-upstream'
import { ADMIN_KEY, startTestGateway, type TestGateway } from '../helpers/gateway'

export const CHROMIUM = '/usr/bin/chromium'

// The flags DEVELOPERS.md documents: headless, no sandbox (CI runs as root), and nothing that
// reaches the network on its own (QUIC, component updates, sync, background fetches).
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Browser {
  context: BrowserContext
  page: Page
  /** Exceptions in the page, caught or not: a console that throws is broken even if it shows. */
  errors: string[]
  close(): Promise<void>
}

/** A fresh profile (its own --user-data-dir) per run, so no state leaks between runs. */
export const launchBrowser = async (
  width = 1280,
  height = 860,
  locale = 'en-US',
): Promise<Browser> => {
  const profile = mkdtempSync(join(tmpdir(), 'edgeload-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width, height },
    locale,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  // Well under the test timeout, so a missing element fails with its locator, not a bare timeout.
  page.setDefaultTimeout(8_000)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(err.stack ?? err.message))
  // Errors a boundary caught are logged, not thrown; failed fetches (a refused key) are expected.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(m.text())
  })
  return {
    context,
    page,
    errors,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

const THEME = /^(Theme|主题)$/

const pinSaveBar = (page: Page, position: string) =>
  page.evaluate((p) => {
    for (const el of document.querySelectorAll<HTMLElement>('.form-end')) el.style.position = p
  }, position)

/** Saves `name-light.png` and `name-dark.png`, switching the theme through the console's own UI. */
export const shootBothThemes = async (page: Page, dir: string, name: string) => {
  const files: string[] = []
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel(THEME).selectOption(theme)
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme)
    const file = join(dir, `${name}-${theme}.png`)
    // A full-page capture keeps the sticky save bar where the window ended, mid-form; in the
    // shot it sits where a user who scrolled to the end sees it. Set through the CSSOM: the
    // console's CSP refuses the <style> element that screenshot's `style` option would add.
    await pinSaveBar(page, 'static')
    await page.screenshot({ path: file, fullPage: true })
    await pinSaveBar(page, '')
    files.push(file)
  }
  await page.getByLabel(THEME).selectOption('light')
  return files
}

export interface Stack {
  up: FakeUpstream
  t: TestGateway
  b: Browser
  page: Page
}

/**
 * What every e2e file starts with: admin/dist built, a fake upstream, the gateway with `settings`
 * saved (its app_url is the real URL, so the endpoints shown are copyable) and a fresh Chromium.
 */
export const startStack = async (
  settings: Record<string, unknown> = {},
  upstream?: FakeUpstreamOptions,
): Promise<Stack> => {
  ensureAdminBuilt()
  const up = await startFakeUpstream(upstream)
  const t = await startTestGateway()
  await t.admin('PUT', '/api/settings', { ...settings, app_url: t.url })
  const b = await launchBrowser()
  return { up, t, b, page: b.page }
}

/** Stops what `startStack` started; any part may be missing when the start failed. */
export const stopStack = async (s: Partial<Stack>) => {
  await s.b?.close()
  await s.t?.stop()
  await s.up?.close()
}

/** Submits the login form with `key` (the admin key unless given). */
export const signIn = async (page: Page, key = ADMIN_KEY) => {
  await page.getByLabel('Admin key').fill(key)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** A system setting's current value, read through the admin API. */
export const settingOf = async (t: TestGateway, key: string) => {
  const r = await t.admin<{ data: { settings: { key: string; value: unknown }[] }[] }>(
    'GET',
    '/api/settings',
  )
  return r.body.data.flatMap((c) => c.settings).find((s) => s.key === key)?.value
}

/**
 * Clicks the button named `label` from inside the page and returns the id of the focused element
 * once the microtasks that render the answer have run, before any timer or frame. Focus that
 * moves later can land while someone, or a test, is already typing in another field.
 */
export const focusAfterClick = (page: Page, label: string) =>
  page.evaluate(async (name) => {
    const button = [...document.querySelectorAll('button')].find(
      (b) => b.textContent?.trim() === name,
    )
    if (!button) throw new Error(`no button named ${name}`)
    button.click()
    for (let i = 0; i < 20; i++) await Promise.resolve()
    return document.activeElement?.id ?? ''
  }, label)
