// The OpenAI Responses format: the OpenAI channel with its own validation call (/v1/responses).
import { endpointOf, joinUrl, jsonPost, testModelOf } from './common'
import { openaiChannel } from './openai'
import type { Channel } from './types'

export const openaiResponseChannel: Channel = {
  ...openaiChannel,
  type: 'openai-response',
  validationRequest: (group, upstreamBase, key) =>
    jsonPost(
      joinUrl(upstreamBase, endpointOf(group, '/v1/responses')),
      { authorization: `Bearer ${key}` },
      { model: testModelOf(group, openaiChannel.defaultTestModel), input: 'hi' },
    ),
}
