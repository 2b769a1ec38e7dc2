// Admin API: request logs with v1's filters and field names; the key only ever appears masked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashKey, maskKey } from '../src/secrets/crypto'
import type { RequestLog } from '../src/store/types'
import { createTestApp, type TestApp } from './helpers/app'

let t: TestApp

const KEY_1 = 'sk-one-1111111111111111'
const KEY_2 = 'sk-two-2222222222222222'
const T0 = Date.parse('2024-05-01T10:00:00Z')

const row = async (
  n: number,
  over: Partial<RequestLog> = {},
  key = KEY_1,
): Promise<RequestLog> => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  timestamp: new Date(T0 + n * 60_000),
  group_id: 1,
  group_name: 'openai-main',
  parent_group_id: 0,
  parent_group_name: '',
  key_hash: await hashKey(key),
  key_masked: maskKey(key),
  model: 'gpt-4o-mini',
  is_success: true,
  source_ip: '10.0.0.1',
  status_code: 200,
  request_path: '/proxy/openai-main/v1/chat/completions',
  duration_ms: 120,
  error_message: '',
  user_agent: 'test',
  request_type: 'final',
  upstream_addr: 'https://api.openai.com/v1/chat/completions',
  is_stream: false,
  request_body: '',
  ...over,
})

beforeEach(async () => {
  t = await createTestApp()
  await t.deps.store.insertLogs([
    await row(1),
    await row(2, {
      is_success: false,
      status_code: 429,
      request_type: 'retry',
      error_message: 'Rate limit reached',
    }),
    await row(
      3,
      { model: 'claude-3-haiku', group_name: 'anthropic', source_ip: '10.0.0.2' },
      KEY_2,
    ),
    await row(4, { parent_group_name: 'all-models', parent_group_id: 9, is_stream: true }),
  ])
})
afterEach(async () => {
  await t.close()
})

const query = async (q: string) => {
  const res = await t.api('GET', `/api/logs?${q}`)
  return { status: res.status, body: await res.json() }
}

const ids = async (q: string) => {
  const r = await query(q)
  expect(r.status, q).toBe(200)
  return r.body.data.items.map((i: { id: string }) => Number(i.id.slice(-12)))
}

describe('GET /api/logs', () => {
  it('lists the newest first with v1 field names and the masked key', async () => {
    const r = await query('page_size=2')
    expect(r.body.data.pagination).toEqual({
      page: 1,
      page_size: 2,
      total_items: 4,
      total_pages: 2,
    })
    const [first] = r.body.data.items
    expect(Object.keys(first).sort()).toEqual(
      [
        'id',
        'timestamp',
        'group_id',
        'group_name',
        'parent_group_id',
        'parent_group_name',
        'key_value',
        'key_hash',
        'model',
        'is_success',
        'source_ip',
        'status_code',
        'request_path',
        'duration_ms',
        'error_message',
        'user_agent',
        'request_type',
        'upstream_addr',
        'is_stream',
        'request_body',
      ].sort(),
    )
    expect(first).toMatchObject({
      timestamp: new Date(T0 + 4 * 60_000).toISOString(),
      key_value: maskKey(KEY_1),
      key_hash: await hashKey(KEY_1),
      parent_group_name: 'all-models',
      is_stream: true,
    })
    expect(JSON.stringify(r.body)).not.toContain(KEY_1)
    expect(await ids('')).toEqual([4, 3, 2, 1])
    expect(await ids('page=2&page_size=3')).toEqual([1])
  })

  it('applies every filter', async () => {
    expect(await ids(`key_value=${KEY_2}`)).toEqual([3])
    expect(await ids('key_value=sk-two')).toEqual([])
    expect(await ids('group_name=anthro')).toEqual([3])
    expect(await ids('parent_group_name=all')).toEqual([4])
    expect(await ids('model=haiku')).toEqual([3])
    expect(await ids('is_success=false')).toEqual([2])
    expect(await ids('is_success=true')).toEqual([4, 3, 1])
    expect(await ids('request_type=retry')).toEqual([2])
    expect(await ids('status_code=429')).toEqual([2])
    expect(await ids('source_ip=10.0.0.2')).toEqual([3])
    expect(await ids('source_ip=10.0.0')).toEqual([])
    expect(await ids('error_contains=rate%20limit')).toEqual([2])
    expect(await ids('start_time=2024-05-01T10:02:00Z&end_time=2024-05-01T10:03:00Z')).toEqual([
      3, 2,
    ])
    expect(await ids('start_time=2024-05-01T12:02:00%2B02:00')).toEqual([4, 3, 2])
    // Empty values are "no filter", as the SPA sends its whole form.
    expect(await ids('model=&is_success=&status_code=')).toEqual([4, 3, 2, 1])
  })

  it('rejects bad filter values with 400', async () => {
    for (const q of [
      'is_success=maybe',
      'status_code=abc',
      'status_code=42',
      'request_type=first',
      'start_time=yesterday',
      'end_time=2024-05-01',
      'end_time=2024-13-45T99:00:00Z',
      'page=0',
      'page_size=ten',
    ]) {
      const r = await query(q)
      expect(r.status, q).toBe(400)
      expect(r.body.code).toBe('VALIDATION_FAILED')
      expect(r.body.message).toContain(q.split('=')[0])
    }
  })

  it('requires the admin key', async () => {
    expect((await t.app.request('/api/logs')).status).toBe(401)
  })
})
