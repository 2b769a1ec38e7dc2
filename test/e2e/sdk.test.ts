// The console end to end around real SDK traffic: the `openai` SDK sends plain, streamed and
// failing requests through the real gateway (fake upstream), then Chromium finds them on the
// Logs page (filters in the URL, detail drawer, CSV export) and the dashboard; a setting changed
// in the Settings page changes the proxy's behaviour at once; a wrong admin key is refused.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FakeUpstream } from '../helpers/fake-upstream'
import { ADMIN_KEY, type TestGateway } from '../helpers/gateway'
import { settingOf, signIn, startStack, stopStack, type Browser } from './browser'

const shots = mkdtempSync(join(tmpdir(), 'edgeload-sdk-screens-'))
const BAD = ['sk-sdk-bad-1', 'sk-sdk-bad-2']
let up: FakeUpstream
let t: TestGateway
let b: Browser
let page: Page

const openai = (group: string, apiKey = ADMIN_KEY) =>
  new OpenAI({ apiKey, baseURL: `${t.url}/proxy/${group}/v1`, maxRetries: 0 })
const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] })

/** A request to the group whose keys all fail; resolves to the HTTP status the SDK saw. */
const failingCall = () =>
  openai('sdk-flaky')
    .chat.completions.create(ask('gpt-4o-mini'))
    .then(
      () => 0,
      (err: unknown) => (err instanceof OpenAI.APIError ? (err.status ?? -1) : -1),
    )
const upstreamHits = () => up.requests.filter((r) => BAD.includes(r.credential ?? '')).length

const filters = () => page.getByRole('form', { name: 'Filters' })
const rows = () => page.locator('table.logs tbody tr')
const pager = () => page.locator('.pager').textContent()

beforeAll(async () => {
  // Logs and the hourly roll-up are written at once, not every minute.
  ;({ up, t, b, page } = await startStack(
    { request_log_write_interval_minutes: 0 },
    { behaviours: Object.fromEntries(BAD.map((k) => [k, { status: 500 }])) },
  ))
  const upstreams = [{ url: up.url, weight: 1 }]
  await t.createGroup({ name: 'sdk', upstreams }, ['sk-sdk-good'])
  await t.createGroup({ name: 'sdk-flaky', upstreams }, BAD)
}, 120_000)

afterAll(async () => {
  await stopStack({ up, t, b })
  console.log(`sdk e2e screenshots: ${shots}`)
})

describe('console around SDK traffic', () => {
  it('refuses a wrong admin key, in the API and in the login form', async () => {
    const res = await fetch(`${t.url}/api/logs`, { headers: { authorization: 'Bearer nope' } })
    expect(res.status).toBe(401)
    await page.goto(t.url)
    await signIn(page, 'not-the-admin-key')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not correct')
    await signIn(page)
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
  })

  it('applies a saved setting at once: max retries and body logging, no restart', async () => {
    // Default max_retries (3): the first attempt and three retries, rotating over the two keys.
    expect(await failingCall()).toBe(500)
    expect(upstreamHits()).toBe(4)

    await page.getByRole('link', { name: 'Settings' }).click()
    await page.getByLabel('Max retries').fill('0')
    await page.getByLabel('Log request bodies').check()
    await page.getByRole('button', { name: 'Save settings' }).click()
    const status = page.getByRole('status')
    await expect.poll(() => status.textContent()).toContain('no restart needed')
    expect(await status.textContent()).toContain('Max retries')
    expect(await settingOf(t, 'max_retries')).toBe(0)
    expect(await settingOf(t, 'enable_request_body_logging')).toBe(true)

    // The same gateway process now gives up after one attempt.
    expect(await failingCall()).toBe(500)
    expect(upstreamHits()).toBe(5)
  })

  it('shows the settings in Chinese when the console is in Chinese', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: '简体中文' })
    await page.getByLabel('最大重试次数').waitFor()
    await page.locator('legend', { hasText: '密钥设置' }).waitFor()
    await page.getByRole('combobox', { name: '语言' }).selectOption({ label: 'English' })
    await page.getByLabel('Max retries').waitFor()
  })

  it('sends plain and streamed requests with the openai SDK', async () => {
    const plain = await openai('sdk').chat.completions.create(ask('gpt-4o-mini'))
    expect(plain.choices[0]?.message.content).toBe('tok0 tok1 tok2 tok3 tok4 ')
    const stream = await openai('sdk').chat.completions.create({ ...ask('gpt-4.1'), stream: true })
    let text = ''
    let chunks = 0
    for await (const chunk of stream) {
      chunks++
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    expect(chunks).toBeGreaterThanOrEqual(2)
    expect(text).toBe('tok0 tok1 tok2 tok3 tok4 ')
    // The proxy key is the admin key here; a wrong one is refused before any upstream call.
    const denied = await openai('sdk', 'wrong-key')
      .chat.completions.create(ask('gpt-4o-mini'))
      .catch((err: InstanceType<typeof OpenAI.APIError>) => err.status)
    expect(denied).toBe(401)
  })

  it('filters the logs by result, keeping the filter in the URL across a reload', async () => {
    await page.getByRole('link', { name: 'Logs' }).click()
    // 4 attempts + 1 attempt for the failing calls, then the plain and the streamed one.
    await expect.poll(pager).toContain('7 in all')
    await shoot('logs')
    await filters().getByLabel('Result').selectOption('false')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await expect.poll(pager).toContain('5 in all')
    expect(page.url()).toContain('is_success=false')
    await page.reload()
    await expect.poll(pager).toContain('5 in all')
    expect(await filters().getByLabel('Result').inputValue()).toBe('false')
    for (const text of await rows().allTextContents()) expect(text).toContain('sdk-flaky')
    expect(await page.locator('table.logs .badge', { hasText: 'retry' }).count()).toBe(3)
  })

  it('filters by model and shows the streamed request in the drawer', async () => {
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(pager).toContain('7 in all')
    await filters().getByLabel('Model').fill('gpt-4.1')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await expect.poll(pager).toContain('1 in all')
    expect(page.url()).toContain('model=gpt-4.1')
    expect(await rows().first().textContent()).toContain('stream')
    await rows()
      .first()
      .getByRole('button', { name: /^Details of the request/ })
      .click()
    const drawer = page.getByRole('dialog', { name: 'Request details' })
    await drawer.waitFor()
    expect(await drawer.locator('[data-field="is_stream"] dd').textContent()).toContain('stream')
    expect(await drawer.locator('[data-field="model"] dd').textContent()).toBe('gpt-4.1')
    expect(await drawer.locator('.log-body').textContent()).toContain('"stream": true')
    await shoot('logs-drawer')
    await page.setViewportSize({ width: 375, height: 812 })
    await shoot('logs-drawer-375px')
    await page.keyboard.press('Escape')
    await drawer.waitFor({ state: 'hidden' })
    // The table scrolls in its own box; the page itself must not scroll sideways on a phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    await shoot('logs-375px')
    await page.setViewportSize({ width: 1280, height: 860 })
  })

  it('remembers the chosen columns', async () => {
    await page.locator('summary', { hasText: 'Columns' }).click()
    await page.locator('.columns').getByLabel('Source IP').check()
    // Escape closes the chooser and puts focus back on its button.
    await page.keyboard.press('Escape')
    await page.locator('.columns fieldset').waitFor({ state: 'hidden' })
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY')
    await page.reload()
    await page.locator('table.logs th', { hasText: 'Source IP' }).waitFor()
    // A click elsewhere closes it too.
    await page.locator('summary', { hasText: 'Columns' }).click()
    await page.locator('h1').click()
    await page.locator('.columns fieldset').waitFor({ state: 'hidden' })
  })

  it('exports the filtered keys as CSV without the admin key in any URL', async () => {
    await page.getByRole('button', { name: 'Clear' }).click()
    await expect.poll(pager).toContain('7 in all')
    await filters().getByLabel('Result').selectOption('false')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await expect.poll(pager).toContain('5 in all')
    const urls: string[] = []
    page.on('request', (r) => urls.push(r.url()))
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export keys as CSV' }).click()
    const file = await (await download).path()
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('key_value,group_name,status_code')
    expect(lines.slice(1)).toHaveLength(2)
    for (const line of lines.slice(1)) expect(line).toMatch(/,sdk-flaky,500$/)
    const exportUrl = urls.find((u) => u.includes('/api/logs/export'))
    expect(exportUrl).toContain('is_success=false')
    for (const u of urls) expect(u).not.toContain(ADMIN_KEY)
  })

  it('counts the requests on the dashboard', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click()
    const card = (label: string) => page.locator(`[data-stat="${label}"]`).textContent()
    // Final attempts only: two failed calls, the plain and the streamed one.
    await expect.poll(() => card('dash.requests')).toBe('4')
    expect(await card('dash.errorRate')).toBe('50%')
    expect(await page.locator('.legend').textContent()).toMatch(/Success \(2\).*Failed \(2\)/)
    expect(b.errors).toEqual([])
  })
})

/** Light and dark shots of the current screen (the drawer makes the theme menu inert). */
const shoot = async (name: string) => {
  for (const theme of ['light', 'dark']) {
    await page.evaluate((th) => (document.documentElement.dataset.theme = th), theme)
    await page.screenshot({ path: join(shots, `${name}-${theme}.png`) })
  }
  await page.evaluate(() => delete document.documentElement.dataset.theme)
}
