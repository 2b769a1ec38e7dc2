// The key screens end to end: a .txt upload with progress, a key blacklisted by real proxied
// failures and restored from the table, its health history, enable/disable, bulk delete, clearing
// invalid keys after typing the group's name, and the export download. Screenshots of the table
// with the history drawer open, in light and dark, go to a temp folder.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { TestGateway } from '../helpers/gateway'
import { shootBothThemes, signIn, startStack, stopStack, type Browser } from './browser'

const shots = mkdtempSync(join(tmpdir(), 'edgeload-key-screens-'))
const BAD = 'sk-e2e-flaky-0123456789'
const OPS = ['sk-e2e-ops-1-aaaa', 'sk-e2e-ops-2-bbbb', 'sk-e2e-ops-3-cccc', 'sk-e2e-ops-4-dddd']
let up: FakeUpstream
let t: TestGateway
let b: Browser
let page: Page
let blId: number
let opsId: number

const openGroup = async (name: string, id: number) => {
  await page.goto(`${t.url}/groups/${id}`)
  await page.getByRole('heading', { name: new RegExp(`^Keys of ${name}`) }).waitFor()
}
const rowOf = (id: number) => page.locator(`table.keys tr[data-key-id="${id}"]`)
const notice = () => page.locator('.kx-notice').first().textContent()

beforeAll(async () => {
  ;({ up, t, b, page } = await startStack({ request_log_write_interval_minutes: 0 }))
  const upstreams = [{ url: up.url, weight: 1 }]
  // One failure blacklists; no retries, so each proxied request is one try of this key.
  const config = { blacklist_threshold: 1, max_retries: 0 }
  blId = await t.createGroup({ name: 'bl', upstreams, config }, [BAD])
  opsId = await t.createGroup({ name: 'ops', upstreams }, OPS)
  await page.goto(t.url)
  await signIn(page)
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
}, 120_000)

afterAll(async () => {
  await stopStack({ up, t, b })
  console.log(`key screenshots: ${shots}`)
})

describe('key screens', () => {
  it('imports keys from a .txt upload with a progress bar', async () => {
    const id = await t.createGroup({ name: 'upload', upstreams: [{ url: up.url, weight: 1 }] })
    await openGroup('upload', id)
    const keys = Array.from({ length: 600 }, (_, i) => `sk-upload-${String(i).padStart(4, '0')}-y`)
    await page.getByLabel('Or upload a .txt file').setInputFiles({
      name: 'keys.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(keys.join('\n')),
    })
    await page.getByRole('button', { name: 'Add keys' }).click()
    await page.getByText('Added 600 keys').waitFor()
    const bar = page.locator('#add-progress')
    expect(await bar.getAttribute('max')).toBe('600')
    expect(await bar.getAttribute('value')).toBe('600')
    await expect.poll(() => page.locator('.pager').textContent()).toContain('600 in all')
    // The file input is emptied for the next import.
    expect(await page.getByLabel('Or upload a .txt file').inputValue()).toBe('')
  })

  it('shows a key blacklisted by failures, restores it, and shows its history', async () => {
    const id = (await t.keysOf(blId))[BAD]!.id
    // 429 → cooling; after its second, a 401 → invalid (the cooldown's end is recorded first).
    // insufficient_quota is the account's, so the key cools for every model.
    const error = { message: 'You exceeded your current quota', code: 'insufficient_quota' }
    up.setBehaviour({ [BAD]: { status: 429, headers: { 'retry-after': '1' }, body: { error } } })
    expect((await t.chat('bl')).status).toBe(429)
    await new Promise((r) => setTimeout(r, 1200))
    up.setBehaviour({ [BAD]: { status: 401 } })
    expect((await t.chat('bl')).status).toBe(401)
    up.setBehaviour({ [BAD]: null })

    await openGroup('bl', blId)
    await page.getByLabel('Status').selectOption('invalid')
    await expect.poll(() => rowOf(id).locator('.badge').first().textContent()).toBe('Invalid')
    await page.getByLabel('Status').selectOption('')
    await rowOf(id).getByRole('button', { name: 'Restore' }).click()
    await expect.poll(notice).toContain('Keys restored: 1')
    await expect.poll(() => rowOf(id).locator('.badge').first().textContent()).toBe('Active')

    await rowOf(id).getByRole('button', { name: 'History' }).click()
    const drawer = page.getByRole('dialog', { name: 'Health history' })
    await drawer.locator('tbody tr').first().waitFor()
    const rows = await drawer.locator('tbody tr').allTextContents()
    expect(rows).toHaveLength(4)
    expect(rows[0]).toMatch(/invalid\s*→\s*active.*restored by/)
    expect(rows[1]).toMatch(/active\s*→\s*invalid\s*401/)
    expect(rows[2]).toMatch(/cooling down\s*→\s*active.*cooldown ended/)
    expect(rows[3]).toMatch(/active\s*→\s*cooling down\s*429/)

    // The drawer is modal, so the theme switcher is reached with it closed.
    for (const theme of ['light', 'dark'] as const) {
      await page.keyboard.press('Escape')
      await drawer.waitFor({ state: 'detached' })
      await page.getByLabel('Theme').selectOption(theme)
      await rowOf(id).getByRole('button', { name: 'History' }).click()
      await drawer.locator('tbody tr').first().waitFor()
      await page.screenshot({ path: join(shots, `keys-history-${theme}.png`) })
    }
    await drawer.getByRole('button', { name: 'Close' }).click()
    await drawer.waitFor({ state: 'detached' })
    await page.getByLabel('Theme').selectOption('light')
  })

  it('disables and enables a key', async () => {
    const id = (await t.keysOf(opsId))[OPS[0]!]!.id
    await openGroup('ops', opsId)
    await rowOf(id).getByRole('button', { name: 'Disable' }).click()
    await expect.poll(notice).toContain('Keys disabled: 1')
    await rowOf(id).getByText('off').waitFor()
    const enabledOf = async () => {
      const r = await t.admin<{ data: { items: { id: number; enabled: boolean }[] } }>(
        'GET',
        `/api/keys?group_id=${opsId}`,
      )
      return r.body.data.items.find((k) => k.id === id)?.enabled
    }
    expect(await enabledOf()).toBe(false)
    await rowOf(id).getByRole('button', { name: 'Enable' }).click()
    await expect.poll(notice).toContain('Keys enabled: 1')
    await rowOf(id).getByRole('button', { name: 'Disable' }).waitFor()
    expect(await enabledOf()).toBe(true)
  })

  it('edits a key note in place', async () => {
    const id = (await t.keysOf(opsId))[OPS[1]!]!.id
    await rowOf(id)
      .getByRole('button', { name: /^Edit notes/ })
      .click()
    await rowOf(id).getByRole('textbox').fill('team A')
    await rowOf(id).getByRole('textbox').press('Enter')
    await expect.poll(notice).toContain('Notes saved')
    await rowOf(id).getByText('team A').waitFor()
    await rowOf(id).getByRole('checkbox').check()
    await shootBothThemes(page, shots, 'keys-table')
    await rowOf(id).getByRole('checkbox').uncheck()
  })

  it('deletes two selected keys after confirming', async () => {
    const keys = await t.keysOf(opsId)
    const [a, c] = [keys[OPS[2]!]!.id, keys[OPS[3]!]!.id]
    await rowOf(a).getByRole('checkbox').check()
    await rowOf(c).getByRole('checkbox').check()
    const bulk = page.getByRole('group', { name: 'Actions on the selected keys' })
    await bulk.getByText('2 selected').waitFor()
    await bulk.getByRole('button', { name: 'Delete' }).click()
    const dialog = page.getByRole('dialog', { name: 'Delete keys' })
    await dialog.getByText('Delete these keys from ops?').waitFor()
    expect(await dialog.locator('li').allTextContents()).toEqual(['sk-e…dddd', 'sk-e…cccc'])
    await dialog.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(notice).toContain('Keys deleted: 2')
    await expect.poll(() => page.locator('.pager').textContent()).toContain('2 in all')
    expect(Object.keys(await t.keysOf(opsId)).sort()).toEqual([OPS[0], OPS[1]])
  })

  it('exports the keys as a downloaded .txt', async () => {
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    const file = await download
    expect(file.suggestedFilename()).toBe('keys-ops-all.txt')
    const text = readFileSync(await file.path(), 'utf8')
    expect(text.trim().split('\n').sort()).toEqual([OPS[0], OPS[1]])
    const maintenance = page.locator('section[aria-labelledby="gk-title"] .kx-notice')
    await expect.poll(() => maintenance.textContent()).toContain('Downloaded keys-ops-all.txt')
  })

  it('clears invalid keys once the group name is typed', async () => {
    up.setBehaviour({ [BAD]: { status: 401 } })
    expect((await t.chat('bl')).status).toBe(401)
    up.setBehaviour({ [BAD]: null })
    await openGroup('bl', blId)
    await expect.poll(() => page.locator('table.keys .badge').first().textContent()).toBe('Invalid')
    await page.getByRole('button', { name: 'Clear invalid keys' }).click()
    const dialog = page.getByRole('dialog', { name: 'Clear the invalid keys of bl' })
    const confirm = dialog.getByRole('button', { name: 'Clear invalid keys' })
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel('Group name').fill('b')
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel('Group name').fill('bl')
    await confirm.click()
    const maintenance = page.locator('section[aria-labelledby="gk-title"] .kx-notice')
    await expect.poll(() => maintenance.textContent()).toContain('The invalid keys were cleared')
    await page.getByText('No keys match.').waitFor()
    expect(await t.keysOf(blId)).toEqual({})
    expect(b.errors).toEqual([])
  })
})
