// The console under its Content-Security-Policy (issue 9 item 6), in the real Chromium: a walk
// through every screen (login, dashboard, groups, the group form, keys, logs, settings, both
// themes, Chinese) reports no CSP violation and no "Refused to …" message. A last step breaks
// the policy on purpose, to show the watch would have seen a violation.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { TestGateway } from '../helpers/gateway'
import { signIn, startStack, stopStack, type Browser } from './browser'

let up: FakeUpstream
let t: TestGateway
let b: Browser
let page: Page
let chatId: number
const violations: string[] = []
const refusals: string[] = []

beforeAll(async () => {
  ;({ up, t, b, page } = await startStack({ request_log_write_interval_minutes: 0 }))
  chatId = await t.createGroup({ name: 'chat', upstreams: [{ url: up.url, weight: 1 }] }, [
    'sk-csp-key-1',
    'sk-csp-key-2',
  ])
  for (let i = 0; i < 3; i++) await (await t.chat('chat')).text()
  // Reported from every document the page loads, before any of the console's own code runs.
  await page.exposeFunction('__cspViolation', (v: string) => violations.push(v))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation
      report(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}`)
    })
  })
  page.on('console', (m) => {
    if (/Refused to|Content.Security.Policy/i.test(m.text())) refusals.push(m.text())
  })
}, 120_000)

afterAll(async () => {
  await stopStack({ up, t, b })
})

const heading = (name: string | RegExp) => page.getByRole('heading', { name, level: 1 }).waitFor()
// Some screens load in parts (the dashboard has two): wait until none shows "Loading".
const loaded = () =>
  expect.poll(() => page.locator('.muted', { hasText: 'Loading' }).count()).toBe(0)
const nav = async (link: string) => {
  await page.getByRole('link', { name: link, exact: true }).click()
  await heading(link)
  await loaded()
}

describe('the console under its CSP', () => {
  it('is served with the policy', async () => {
    const res = await page.goto(t.url)
    expect(res!.headers()['content-security-policy']).toMatch(/default-src 'self'/)
  })

  it('walks every screen with no violation', async () => {
    await signIn(page, 'not-the-admin-key')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not correct')
    await signIn(page)
    await heading('Dashboard')
    await loaded()
    await page.locator('.legend').waitFor()

    await nav('Groups & keys')
    await page.getByRole('link', { name: 'New group' }).click()
    await page.getByRole('heading', { name: 'New group', level: 2 }).waitFor()
    await page.getByRole('button', { name: 'Add header rule' }).click()
    await page.locator('summary', { hasText: 'Config overrides' }).click()
    await page.getByRole('button', { name: 'Cancel' }).click()

    await page.goto(`${t.url}/groups/${chatId}`)
    await page.getByRole('heading', { name: /^Keys of chat/ }).waitFor()
    const row = page.locator('table.keys tr[data-key-id]').first()
    await row.getByRole('button', { name: 'Show' }).click()
    await row.getByRole('button', { name: 'History' }).click()
    await page
      .getByRole('dialog', { name: 'Health history' })
      .getByRole('button', { name: 'Close' })
      .click()

    await nav('Logs')
    await expect.poll(() => page.getByRole('cell', { name: 'chat' }).count()).toBeGreaterThan(0)
    await nav('Settings')

    for (const theme of ['dark', 'light'] as const) {
      await page.getByLabel(/^(Theme|主题)$/).selectOption(theme)
      await page.waitForFunction((th) => document.documentElement.dataset.theme === th, theme)
    }
    await page.getByLabel(/^(Language|语言)$/).selectOption('zh')
    await heading('系统设置')
    await page.getByLabel(/^(Language|语言)$/).selectOption('en')
    await heading('Settings')
    await page.reload()
    await heading('Settings')

    expect(violations).toEqual([])
    expect(refusals).toEqual([])
    expect(b.errors).toEqual([])
  })

  it('would have seen a violation: an inline style and script are refused', async () => {
    await page.evaluate(() => {
      const style = document.createElement('style')
      style.textContent = 'body { outline: 1px solid red }'
      document.head.append(style)
      const script = document.createElement('script')
      script.textContent = 'window.__ran = true'
      document.head.append(script)
    })
    await expect.poll(() => violations.length).toBeGreaterThanOrEqual(2)
    expect(violations.join('\n')).toMatch(/style-src/)
    expect(violations.join('\n')).toMatch(/script-src/)
    expect(
      await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran),
    ).toBeUndefined()
  })
})
