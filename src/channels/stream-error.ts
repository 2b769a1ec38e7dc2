// In-band error events that end a broken SSE stream, one per wire format, so every official SDK
// raises an error instead of returning a truncated answer as a complete one.
import { toErrorBody } from './error-body'

const data = (v: unknown) => `data: ${JSON.stringify(v)}\n\n`

/** Chat completions (and Gemini's OpenAI-compatible paths): `data: {"error":{…}}`. */
export const openaiChatError = (status: number, code: string, message: string) =>
  data(toErrorBody('openai', status, code, message))

/** The Responses API's own `error` event. */
export const openaiResponsesError = (_status: number, code: string, message: string) =>
  `event: error\n${data({ type: 'error', code, message, param: null })}`

/** Anthropic Messages: `event: error` with `{"type":"error","error":{type,message}}`. */
export const anthropicError = (status: number, code: string, message: string) =>
  `event: error\n${data(toErrorBody('anthropic', status, code, message))}`

/** Gemini with `alt=sse`: `data: {"error":{code,message,status}}`. */
export const geminiError = (status: number, code: string, message: string) =>
  data(toErrorBody('gemini', status, code, message))
