// The groups screens end to end: create, refuse, edit, aggregate members with weights and
// priorities, reorder, enable/disable, copy and delete, each checked through the admin API.
// Screenshots of the form and of both detail views, in light and dark, go to a temp folder.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FakeUpstream } from '../helpers/fake-upstream'
import type { TestGateway } from '../helpers/gateway'
import {
  focusAfterClick,
  shootBothThemes,
  signIn,
  startStack,
  stopStack,
  type Browser,
} from './browser'

interface ApiGroup {
  id: number
  name: string
  display_name: string
  enabled: boolean
  upstreams: { url: string; weight: number }[]
  proxy_keys: string
  header_rules: { key: string; value: string; action: string }[]
  model_redirect_rules: Record<string, string>
  model_redirect_strict: boolean
  config: Record<string, unknown>
  param_overrides: Record<string, unknown>
  failover_rules: unknown[]
}

const shots = mkdtempSync(join(tmpdir(), 'edgeload-group-screens-'))
let up: FakeUpstream
let t: TestGateway
let b: Browser
let page: Page

const groups = async () => (await t.admin<{ data: ApiGroup[] }>('GET', '/api/groups')).body.data
const groupNamed = async (name: string) => (await groups()).find((g) => g.name === name)
const idFromUrl = () => Number(/\/groups\/(\d+)$/.exec(page.url())?.[1])

const openNewForm = async () => {
  await page.getByRole('link', { name: 'New group' }).click()
  await page.getByRole('heading', { name: 'New group', level: 2 }).waitFor()
}

beforeAll(async () => {
  ;({ up, t, b, page } = await startStack())
  await t.createGroup({ name: 'base', upstreams: [{ url: up.url, weight: 1 }] })
  await page.goto(`${t.url}/groups`)
  await signIn(page)
  await page.getByRole('heading', { name: 'Groups & keys', level: 1 }).waitFor()
}, 120_000)

afterAll(async () => {
  await stopStack({ up, t, b })
  console.log(`group screenshots: ${shots}`)
})

describe('groups screens', () => {
  it('creates a standard group through the form', async () => {
    const options = (
      await t.admin<{ data: { key: string; name: string; default_value: unknown }[] }>(
        'GET',
        '/api/groups/config-options',
      )
    ).body.data
    const numeric = options.find((o) => typeof o.default_value === 'number')!
    await openNewForm()
    await page.getByLabel('Name', { exact: true }).fill('alpha')
    await page.getByLabel('Display name').fill('Alpha team')
    await page.getByLabel('Upstream 1 URL').fill(up.url)
    await page.getByLabel('Upstream 1 weight').fill('2')
    await page.getByRole('button', { name: 'Generate a key' }).click()
    await page.getByRole('button', { name: 'Add header rule' }).click()
    await page.getByLabel('Header 1 name').fill('X-Team')
    await page.getByLabel('Header 1 value').fill('red')
    await page.getByRole('button', { name: 'Add redirect' }).click()
    await page.getByLabel('Redirect 1: requested model').fill('gpt-x')
    await page.getByLabel('Redirect 1: upstream model').fill('gpt-4o-mini')
    await page.getByLabel(/^Strict/).check()
    await page.getByLabel('Parameter overrides (JSON)').fill('{"temperature": 0.3}')
    await page
      .getByLabel('Failover rules (JSON)')
      .fill('[{"status": 400, "code": "content_policy_violation", "action": "return"}]')
    await page.locator('summary', { hasText: 'Config overrides' }).click()
    await page
      .getByLabel(numeric.name, { exact: true })
      .fill(String(Number(numeric.default_value) + 1))
    await shootBothThemes(page, shots, 'group-form')
    await page.getByRole('button', { name: 'Create group' }).click()
    await page.waitForURL(/\/groups\/\d+$/)

    const g = (await groupNamed('alpha'))!
    expect(idFromUrl()).toBe(g.id)
    expect(g.display_name).toBe('Alpha team')
    expect(g.upstreams).toEqual([{ url: up.url, weight: 2 }])
    expect(g.proxy_keys).toMatch(/^sk-[A-Za-z0-9]{48}$/)
    expect(g.header_rules).toEqual([{ key: 'X-Team', value: 'red', action: 'set' }])
    expect(g.model_redirect_rules).toEqual({ 'gpt-x': 'gpt-4o-mini' })
    expect(g.model_redirect_strict).toBe(true)
    expect(g.param_overrides).toEqual({ temperature: 0.3 })
    expect(g.failover_rules).toEqual([
      { status: 400, code: 'content_policy_violation', action: 'return' },
    ])
    // Only the override that was set is sent.
    expect(g.config).toEqual({ [numeric.key]: Number(numeric.default_value) + 1 })
  })

  it('shows the config overrides in Chinese when the console is in Chinese', async () => {
    await openNewForm()
    await page.getByRole('combobox', { name: 'Language' }).selectOption('zh')
    await page.locator('summary', { hasText: '配置覆盖' }).click()
    const retries = page.getByLabel('最大重试次数', { exact: true })
    await retries.waitFor()
    const help = await retries.getAttribute('aria-describedby')
    expect(await page.locator(`#${help}`).textContent()).toMatch(/[\u4e00-\u9fff]/)
    await shootBothThemes(page, shots, 'group-form-zh')
    await page.getByRole('combobox', { name: '语言' }).selectOption('en')
    await page.getByRole('button', { name: 'Cancel' }).click()
  })

  it('refuses bad JSON and a duplicate name, saving nothing', async () => {
    const before = (await groups()).length
    await openNewForm()
    await page.getByLabel('Name', { exact: true }).fill('alpha')
    await page.getByLabel('Upstream 1 URL').fill(up.url)
    await page.getByLabel('Parameter overrides (JSON)').fill('{"temperature": ')
    // Focus reaches the summary as the error appears, not a frame later, when the next field
    // may already be taking keys (it once took the keys of the fill below).
    expect(await focusAfterClick(page, 'Create group')).toBe('gf-errors')
    await expect
      .poll(() => page.locator('#gf-params-error').textContent())
      .toContain('param_overrides: must be a JSON object')
    expect(await page.getByLabel('Parameter overrides (JSON)').getAttribute('aria-invalid')).toBe(
      'true',
    )

    await page.getByLabel('Parameter overrides (JSON)').fill('')
    // A rule the API refuses is shown at the rules box.
    const rules = page.getByLabel('Failover rules (JSON)')
    await rules.fill('[{"status": 400, "action": "retry"}]')
    await page.getByRole('button', { name: 'Create group' }).click()
    await expect
      .poll(() => page.locator('#gf-failover-error').textContent())
      .toContain("failover_rules.0.action: must be 'failover', 'return' or 'key_fault'")
    await rules.fill('')
    await page.getByRole('button', { name: 'Create group' }).click()
    await expect
      .poll(() => page.locator('#gf-name-error').textContent())
      .toContain('already exists')
    expect(await page.locator('#gf-errors').textContent()).toContain("group name 'alpha'")
    await page.getByLabel('Upstream 1 URL').fill('ftp://nope')
    await page.getByLabel('Name', { exact: true }).fill('beta')
    await page.getByRole('button', { name: 'Create group' }).click()
    await expect
      .poll(() => page.locator('#gf-errors').textContent())
      .toContain('Upstream 1 URL: must be an http(s) URL')
    await shootBothThemes(page, shots, 'group-form-errors')
    expect((await groups()).length).toBe(before)
    await page.getByRole('button', { name: 'Cancel' }).click()
  })

  it('edits the group', async () => {
    const g = (await groupNamed('alpha'))!
    await page.getByRole('link', { name: /Alpha team/ }).click()
    await page.getByRole('link', { name: 'Edit', exact: true }).click()
    await page.getByRole('heading', { name: 'Edit group alpha' }).waitFor()
    expect(await page.getByLabel('Header 1 value').inputValue()).toBe('red')
    await page.getByLabel('Display name').fill('Alpha squad')
    await page.getByLabel('Upstream 1 weight').fill('3')
    await page.getByRole('button', { name: 'Remove redirect 1' }).click()
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.waitForURL(`**/groups/${g.id}`)
    const after = (await groupNamed('alpha'))!
    expect(after.display_name).toBe('Alpha squad')
    expect(after.upstreams[0]!.weight).toBe(3)
    expect(after.model_redirect_rules).toEqual({})
    expect(after.proxy_keys).toBe(g.proxy_keys)
  })

  it('creates an aggregate and manages its sub-group weights', async () => {
    await openNewForm()
    await page.getByLabel(/^Aggregate/).check()
    await page.getByLabel('Name', { exact: true }).fill('mix')
    await page.getByRole('button', { name: 'Create group' }).click()
    await page.waitForURL(/\/groups\/\d+$/)
    const mix = idFromUrl()
    const alpha = (await groupNamed('alpha'))!
    await page.getByText('No sub-groups yet').waitFor()
    await page.getByLabel('Add a sub-group').selectOption(String(alpha.id))
    await page.getByLabel('Weight', { exact: true }).fill('5')
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    const weight = page.getByLabel('Weight of alpha')
    await expect.poll(() => weight.inputValue()).toBe('5')
    await weight.fill('7')
    // Weight and priority are saved together.
    await page.getByLabel('Priority of alpha').fill('2')
    await page.locator('tr[data-member="alpha"]').getByRole('button', { name: 'Save' }).click()
    type Member = { group: { id: number }; weight: number; priority: number }
    await expect
      .poll(async () => {
        const r = await t.admin<{ data: Member[] }>('GET', `/api/groups/${mix}/sub-groups`)
        return r.body.data.map((m) => [m.group.id, m.weight, m.priority])
      })
      .toEqual([[alpha.id, 7, 2]])
    await shootBothThemes(page, shots, 'group-aggregate')

    // The standard group lists the aggregate it belongs to.
    await page.getByRole('link', { name: 'Alpha squad' }).first().click()
    await page.getByRole('link', { name: 'mix' }).last().waitFor()
    await expect
      .poll(() => page.locator('.parents').textContent())
      .toContain('weight 7 · priority 2')
    await shootBothThemes(page, shots, 'group-standard')
  })

  it('reorders groups with the buttons and by drag and drop', async () => {
    const names = async () => (await groups()).map((g) => g.name)
    const [first, second] = await names()
    await page.getByRole('button', { name: `Move ${first} down` }).click()
    await expect.poll(async () => (await names()).slice(0, 2)).toEqual([second, first])
    const list = await names()
    await page
      .locator(`li[data-group="${list[2]}"]`)
      .dragTo(page.locator(`li[data-group="${list[0]}"]`))
    await expect.poll(async () => (await names())[0]).toBe(list[2])
  })

  it('disables, enables and copies a group', async () => {
    const alpha = (await groupNamed('alpha'))!
    await page.goto(`${t.url}/groups/${alpha.id}`)
    const toggle = page.getByRole('switch', { name: 'Enabled' })
    await toggle.uncheck()
    await expect.poll(async () => (await groupNamed('alpha'))!.enabled).toBe(false)
    await page.locator('li[data-group="alpha"]').getByText('disabled').waitFor()
    await toggle.check()
    await expect.poll(async () => (await groupNamed('alpha'))!.enabled).toBe(true)

    await page.getByLabel('Keys to copy').selectOption('none')
    await page.getByRole('button', { name: 'Copy group' }).click()
    await page.locator('#gh-title', { hasText: 'Alpha squad Copy' }).waitFor()
    const copy = (await groupNamed('alpha_copy'))!
    expect(idFromUrl()).toBe(copy.id)
    expect(copy.header_rules).toEqual(alpha.header_rules)
  })

  it('deletes a group only after its name is typed', async () => {
    const base = (await groupNamed('base'))!
    await page.goto(`${t.url}/groups/${base.id}`)
    await page.getByRole('button', { name: 'Delete…' }).click()
    const dialog = page.getByRole('dialog')
    const confirm = dialog.getByRole('button', { name: 'Delete group' })
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel('Type base to confirm').fill('bas')
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel('Type base to confirm').fill('base')
    await confirm.click()
    await page.waitForURL(/\/groups$/)
    expect(await groupNamed('base')).toBeUndefined()
    expect(b.errors).toEqual([])
  })
})
