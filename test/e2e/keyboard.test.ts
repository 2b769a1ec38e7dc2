// The console without a mouse, and in the browser's own language: a fresh profile signs in, moves
// between screens and reorders groups with the keyboard alone; a Chinese browser opens in Chinese.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY } from '../helpers/gateway'
import { launchBrowser, startStack, stopStack, type Stack } from './browser'

let stack: Stack

/** The focused element's accessible text: its label, aria-label or own text. */
const focusedName = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null
    if (!el || el === document.body) return ''
    return (
      el.labels?.[0]?.textContent?.trim() ||
      el.getAttribute('aria-label') ||
      el.textContent?.trim() ||
      ''
    )
  })

/** Presses Tab until the element named `name` has focus, as a keyboard user would. */
const tabTo = async (page: Page, name: string) => {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab')
    if ((await focusedName(page)) === name) return
  }
  throw new Error(`Tab never reached "${name}"`)
}

/** The focus ring is drawn: a keyboard user can see where they are. */
const outlineOfFocused = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)

beforeAll(async () => {
  stack = await startStack()
  for (const name of ['first', 'second'])
    await stack.t.createGroup({ name, upstreams: [{ url: stack.up.url, weight: 1 }] })
}, 120_000)

afterAll(() => stopStack(stack))

describe('console by keyboard', () => {
  it('signs in, moves between screens and reorders groups without a mouse', async () => {
    const { page, t } = stack
    await page.goto(t.url)
    await tabTo(page, 'Admin key')
    expect(await outlineOfFocused(page)).not.toBe('none')
    await page.keyboard.type(ADMIN_KEY)
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()

    await tabTo(page, 'Groups & keys')
    expect(await outlineOfFocused(page)).not.toBe('none')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Groups & keys', level: 1 }).waitFor()

    const order = async () =>
      (await t.admin<{ data: { name: string }[] }>('GET', '/api/groups')).body.data.map(
        (g) => g.name,
      )
    const [top, next] = await order()
    await tabTo(page, `Move ${top} down`)
    await page.keyboard.press('Enter')
    await expect.poll(async () => (await order()).slice(0, 2)).toEqual([next, top])

    await tabTo(page, 'Settings')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    expect(stack.b.errors).toEqual([])
  })

  it('opens in Chinese for a browser whose language is Chinese', async () => {
    const zh = await launchBrowser(1280, 860, 'zh-CN')
    try {
      await zh.page.goto(stack.t.url)
      await zh.page.getByRole('heading', { name: '登录 edgeload' }).waitFor()
      await zh.page.getByLabel('管理密钥').fill(ADMIN_KEY)
      await zh.page.getByRole('button', { name: '登录' }).click()
      await zh.page.getByRole('heading', { name: '仪表盘', level: 1 }).waitFor()
      expect(await zh.page.evaluate(() => document.documentElement.lang)).toMatch(/^zh/)
      expect(zh.errors).toEqual([])
    } finally {
      await zh.close()
    }
  })
})
