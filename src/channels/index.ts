// The channel registry: every provider format by its `channel_type`, in a stable order.
import { anthropicChannel } from './anthropic'
import { geminiChannel } from './gemini'
import { openaiChannel } from './openai'
import { openaiResponseChannel } from './openai-response'
import type { Channel } from './types'

/** Fixed order for the API and the UI (v1 returned map order, §8.1 #18). */
export const CHANNEL_TYPES = ['openai', 'openai-response', 'gemini', 'anthropic'] as const

export type ChannelType = (typeof CHANNEL_TYPES)[number]

const CHANNELS = new Map<string, Channel>(
  [openaiChannel, openaiResponseChannel, geminiChannel, anthropicChannel].map((c) => [c.type, c]),
)

export const isChannelType = (type: string): type is ChannelType => CHANNELS.has(type)

export const getChannel = (type: string): Channel | null => CHANNELS.get(type) ?? null
