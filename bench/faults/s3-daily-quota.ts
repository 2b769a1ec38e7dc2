// Scenario 3: a Gemini daily quota spent on 3 keys of 10: 429 whose QuotaFailure names
// GenerateRequestsPerDayPerProjectPerModel-FreeTier (v1 behaviour: the same 429, no details).
import { drive } from './client'
import { loadFor } from './load'
import { keyNames } from './rig'
import type { Rig } from './rig'
import type { Scenario } from './types'

const MODEL = 'gemini-2.0-flash'

const dailyQuota429 = (rig: Rig) => ({
  error: {
    code: 429,
    message: 'You exceeded your current quota, please check your plan and billing details.',
    status: 'RESOURCE_EXHAUSTED',
    ...(rig.mode === 'edgeload' && {
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
              quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
              quotaDimensions: { location: 'global', model: MODEL },
              quotaValue: '200',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '21s' },
      ],
    }),
  },
})

export const dailyQuota: Scenario = {
  id: 'daily-quota',
  title: '3. Gemini daily quota spent on 3 keys of 10',
  async run(rig) {
    const keys = keyNames(10, 'AIza-f')
    const spent = keys.slice(0, 3)
    const body = dailyQuota429(rig)
    const up = await rig.upstream(Object.fromEntries(spent.map((k) => [k, { status: 429, body }])))
    const groupId = await rig.group('daily', [up], keys, 'gemini')
    const shots = await drive(rig.gemini('daily', MODEL), loadFor(rig, 5000, 1500))
    return {
      shots,
      groupId,
      model: MODEL,
      healthy: keys.filter((k) => !spent.includes(k)),
      recovery: null,
    }
  },
}
