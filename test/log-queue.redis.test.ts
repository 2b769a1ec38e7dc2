// The log queue contract on the real Redis (127.0.0.1:6379, or REDIS_TEST_URL) through ioredis,
// plus how rows are carried: a fresh key prefix per queue, the keys removed afterwards.
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRedisEval } from '../adapters/node/redis'
import { fromQueued, toQueued } from '../src/logs/queue'
import { dropRedisPrefix, freshRedisPrefix, REDIS_TEST_URL } from './helpers/redis'
import { testLogQueue } from './log-queue.contract'
import { logRow } from './store.fixtures'

const client = new Redis(REDIS_TEST_URL, { maxRetriesPerRequest: 1 })
const redis = createRedisEval(client)
const run = freshRedisPrefix()
let queues = 0

afterAll(async () => {
  await dropRedisPrefix(run)
  await client.quit()
})

describe('log rows as the queue carries them', () => {
  it('round-trip every field, the timestamp to the millisecond', () => {
    const row = logRow({ timestamp: new Date(1_700_000_000_123), request_body: 'ü "q" \n' })
    expect(fromQueued(toQueued(row))).toEqual(row)
  })
  it('turn anything else into null', () => {
    for (const bad of ['', 'nope', '[]', '{"id":1}', '{"id":"x"}', 'null']) {
      expect(fromQueued(bad)).toBeNull()
    }
  })
})

testLogQueue('Redis', () => ({ redis, prefix: `${run}${++queues}:` }))
