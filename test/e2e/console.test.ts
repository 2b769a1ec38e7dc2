// The admin console end to end: the real gateway (with a fake upstream) serving the built console
// to Debian's Chromium. Each step is what an operator does; screenshots of every screen, in light
// and dark, go to a temp folder. With SAVE_SCREENSHOTS=1 the dashboard's and keys page's are also
// copied to docs/screenshots, so a plain test run leaves the repository as it was.
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FakeUpstream } from '../helpers/fake-upstream'
import { ADMIN_KEY, type TestGateway } from '../helpers/gateway'
import {
  focusAfterClick,
  settingOf,
  shootBothThemes,
  signIn,
  startStack,
  stopStack,
  type Browser,
} from './browser'

const shots = mkdtempSync(join(tmpdir(), 'edgeload-screens-'))
const docs = new URL('../../docs/screenshots/', import.meta.url).pathname
let up: FakeUpstream
let t: TestGateway
let b: Browser
let page: Page

const shoot = (name: string) => shootBothThemes(page, shots, name)
const publish = (files: string[]) => {
  if (process.env.SAVE_SCREENSHOTS !== '1') return
  mkdirSync(docs, { recursive: true })
  for (const f of files) copyFileSync(f, join(docs, basename(f)))
}

beforeAll(async () => {
  // Logs (and the hourly roll-up the dashboard reads) are written at once, not every minute.
  // The key sk-e2e-bad always fails: requests to the group that has only it fail after retries.
  ;({ up, t, b, page } = await startStack(
    { request_log_write_interval_minutes: 0 },
    { behaviours: { 'sk-e2e-bad': { status: 500 } } },
  ))
  await t.createGroup({ name: 'chat', upstreams: [{ url: up.url, weight: 1 }] }, [
    'sk-e2e-good-1',
    'sk-e2e-good-2',
  ])
  await t.createGroup({ name: 'flaky', upstreams: [{ url: up.url, weight: 1 }] }, ['sk-e2e-bad'])
}, 120_000)

afterAll(async () => {
  await stopStack({ up, t, b })
  console.log(`e2e screenshots: ${shots}`)
})

describe('admin console', () => {
  it('refuses a wrong admin key with a clear message', async () => {
    await page.goto(t.url)
    await signIn(page, 'not-the-admin-key')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not correct')
    const stored = await page.evaluate(() => [
      sessionStorage.getItem('edgeload.adminKey'),
      localStorage.getItem('edgeload.adminKey'),
    ])
    expect(stored).toEqual([null, null])
    await shoot('login')
  })

  it('logs in, keeping the key for the session only unless remembered', async () => {
    await signIn(page)
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
    const stored = await page.evaluate(() => [
      sessionStorage.getItem('edgeload.adminKey'),
      localStorage.getItem('edgeload.adminKey'),
    ])
    expect(stored).toEqual([ADMIN_KEY, null])
    expect(b.errors).toEqual([])
  })

  it('shows the proxied requests on the dashboard', async () => {
    for (let i = 0; i < 12; i++) await (await t.chat('chat')).text()
    for (let i = 0; i < 3; i++) expect((await t.chat('flaky')).status).toBe(500)
    await page.reload()
    const card = (label: string) => page.locator(`[data-stat="${label}"]`).textContent()
    await expect.poll(() => card('dash.requests')).toMatch(/^\d+$/)
    expect(Number(await card('dash.requests'))).toBe(15)
    expect(Number(await card('dash.keys'))).toBeGreaterThanOrEqual(2)
    expect(await card('dash.errorRate')).toBe('20%')
    expect(await page.locator('.legend').textContent()).toMatch(/Success \(12\).*Failed \(3\)/)
    // The AUTH_KEY is also the global proxy key (seeded as in v1): a security warning.
    expect(await page.getByText('Security warnings').count()).toBe(1)
    publish(await shoot('dashboard'))
  })

  it('shows an upstream with an incident, its state and cause', async () => {
    expect(await page.locator('[data-upstreams="ok"]').textContent()).toMatch(/healthy/)
    // Nothing listens on port 9: each attempt is a connection error, five open the circuit.
    const dead = 'http://127.0.0.1:9'
    await t.createGroup(
      { name: 'down', upstreams: [{ url: dead, weight: 1 }], config: { max_retries: 5 } },
      ['sk-e2e-down-1', 'sk-e2e-down-2'],
    )
    expect((await t.chat('down')).status).toBeGreaterThanOrEqual(500)
    await page.reload()
    const table = page.locator('[data-upstreams="incidents"]')
    await table.waitFor()
    const row = await table.locator('tbody tr').textContent()
    expect(row).toContain(dead)
    expect(row).toContain('open')
    expect(row).toContain('5 connection errors within 10 s')
    await shoot('dashboard-incident')
  })

  it('switches to Simplified Chinese and remembers it', async () => {
    await page.getByLabel('Language').selectOption('zh')
    await page.getByRole('heading', { name: '仪表盘', level: 1 }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: '仪表盘', level: 1 }).waitFor()
    await page.getByLabel('语言').selectOption('en')
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
  })

  it('saves a setting, and shows a refused value beside its field', async () => {
    await page.getByRole('link', { name: 'Settings' }).click()
    const retention = page.getByLabel('Log retention (days)')
    await retention.fill('14')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved').waitFor()
    expect(await settingOf(t, 'request_log_retention_days')).toBe(14)

    // The API's range is shown, and a value outside it is refused before any request.
    const help = page.locator('#setting-request_log_retention_days-help')
    expect(await help.textContent()).toContain('Range: 0 to 3650')
    await retention.fill('-3')
    // Focus is on the refused field as the error appears, not a frame later.
    await page.getByLabel('Failover status codes').focus()
    expect(await focusAfterClick(page, 'Save settings')).toBe('setting-request_log_retention_days')
    const error = page.locator('#setting-request_log_retention_days-error')
    await expect.poll(() => error.textContent()).toBe('Must be a whole number from 0 to 3650.')
    expect(await retention.getAttribute('aria-invalid')).toBe('true')
    expect(await settingOf(t, 'request_log_retention_days')).toBe(14)
    await retention.fill('14')

    // What only the API can judge is refused there and shown beside its field.
    const codes = page.getByLabel('Failover status codes')
    await codes.fill('4xx')
    await page.getByRole('button', { name: 'Save settings' }).click()
    const codesError = page.locator('#setting-failover_status_codes-error')
    await expect.poll(() => codesError.textContent()).toMatch(/^must be status codes/)
    await shoot('settings')
  })

  it('adds 1,000 keys through the UI with progress and lists them', async () => {
    const id = await t.createGroup({ name: 'bulk', upstreams: [{ url: up.url, weight: 1 }] })
    await page.getByRole('link', { name: 'Groups & keys' }).click()
    await page.getByRole('link', { name: /bulk/ }).click()
    await page.waitForURL(`**/groups/${id}`)
    const keys = Array.from({ length: 1000 }, (_, i) => `sk-bulk-${String(i).padStart(4, '0')}-x`)
    await page.getByLabel(/^Keys, one per line/).fill(keys.join('\n'))
    await page.getByRole('button', { name: 'Add keys' }).click()
    await page.getByText('Added 1000 keys').waitFor()
    const bar = page.locator('#add-progress')
    expect(await bar.getAttribute('max')).toBe('1000')
    expect(await bar.getAttribute('value')).toBe('1000')
    await expect.poll(() => page.locator('.pager').textContent()).toContain('1000 in all')
    expect(await page.locator('table.keys tbody tr').count()).toBe(20)

    // Masked in the table; "Show" reveals the stored value.
    const first = page.locator('table.keys tbody tr').first()
    const masked = await first.locator('.key-value').textContent()
    expect(keys).not.toContain(masked)
    await first.getByRole('button', { name: 'Show' }).click()
    await expect.poll(() => first.locator('.key-value').textContent()).toMatch(/^sk-bulk-\d{4}-x$/)

    // Exact search finds one key; the status filter finds no invalid ones.
    await page.getByLabel('Find a key (exact value)').fill('sk-bulk-0042-x')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.locator('.pager').textContent()).toContain('1 in all')
    await page.getByLabel('Find a key (exact value)').fill('')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByLabel('Status').selectOption('invalid')
    await page.getByText('No keys match.').waitFor()
    await page.getByLabel('Status').selectOption('')
    await expect.poll(() => page.locator('.pager').textContent()).toContain('1000 in all')
    publish(await shoot('keys'))
  })

  it('lists the proxied requests in the logs', async () => {
    await page.getByRole('link', { name: 'Logs' }).click()
    await expect.poll(() => page.locator('.pager').textContent()).toMatch(/\d+ in all/)
    expect(await page.getByRole('cell', { name: 'chat' }).count()).toBeGreaterThan(0)
    await shoot('logs')
  })

  it('fits a 375 px wide phone screen', async () => {
    await page.setViewportSize({ width: 375, height: 812 })
    for (const [link, name] of [
      ['Dashboard', 'dashboard'],
      ['Groups & keys', 'groups'],
      ['Settings', 'settings'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click()
      await page.getByRole('heading', { name: link, level: 1 }).waitFor()
      // The dashboard has two parts that load apart: wait until neither shows "Loading".
      await expect.poll(() => page.locator('.muted', { hasText: 'Loading' }).count()).toBe(0)
      // Wide tables scroll inside their own box; the page itself must not scroll sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        375,
      )
      await shoot(`${name}-375px`)
    }
    await page.setViewportSize({ width: 1280, height: 860 })
  })

  it('logs out and forgets the key; "remember me" keeps it across tabs', async () => {
    const keyIn = (p: Page) =>
      p.evaluate(() => [
        sessionStorage.getItem('edgeload.adminKey'),
        localStorage.getItem('edgeload.adminKey'),
      ])
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByLabel('Admin key').waitFor()
    expect(await keyIn(page)).toEqual([null, null])

    await page.getByLabel('Admin key').fill(ADMIN_KEY)
    await page.getByLabel('Remember me on this device').check()
    await page.getByRole('button', { name: 'Sign in' }).click()
    // Signing in keeps the page the user was on (Settings, from the step before).
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    expect(await keyIn(page)).toEqual([null, ADMIN_KEY])
    // A new tab has its own sessionStorage: only the remembered key signs it in.
    const tab = await b.context.newPage()
    await tab.goto(t.url)
    await tab.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
    await tab.getByRole('button', { name: 'Log out' }).click()
    await tab.getByLabel('Admin key').waitFor()
    expect(await keyIn(tab)).toEqual([null, null])
    await tab.close()
    expect(b.errors).toEqual([])
  })
})
