// Failures in the console: a link to a group that is gone says so, and a gateway that has gone
// away gives a sentence and a retry button; neither leaves a blank screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signIn, startStack, stopStack, type Stack } from './browser'
import { ADMIN_KEY } from '../helpers/gateway'

let stack: Stack

beforeAll(async () => {
  stack = await startStack()
}, 120_000)

afterAll(() => stopStack(stack))

describe('console errors', () => {
  it('says a linked group does not exist, and keeps the rest of the console working', async () => {
    const { page, t } = stack
    await page.goto(`${t.url}/groups/999999`)
    await signIn(page, ADMIN_KEY)
    const alert = page.getByRole('alert').first()
    await expect.poll(() => alert.textContent()).toContain('There is no group 999999')
    // The shell is still there: navigation works.
    await page.getByRole('link', { name: 'Dashboard' }).click()
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
  })

  it('says the gateway cannot be reached when it has stopped', async () => {
    const { page, t } = stack
    await t.stop()
    await page.getByRole('link', { name: 'Logs' }).click()
    const alert = page.getByRole('alert').first()
    await expect.poll(() => alert.textContent()).toContain('The gateway cannot be reached')
    await page.getByRole('button', { name: 'Try again' }).first().waitFor()
    expect(await page.getByRole('heading', { name: 'Request logs', level: 1 }).count()).toBe(1)
    expect(stack.b.errors).toEqual([])
  })
})
