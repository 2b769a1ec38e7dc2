// The text of a store error that logs and GET /health/ready may show: the driver's own message.
// drizzle wraps a failed statement as "Failed query: … params: …", and the params of a log batch
// are the rows themselves (request bodies included), so its message is never used.
import { clip } from '../text'

export const storeErrorText = (err: unknown): string => {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err
  let text = inner instanceof Error ? inner.message : String(inner)
  if (text.startsWith('Failed query:')) text = 'a database statement failed'
  // Drivers put the code (SQLITE_BUSY, SQLITE_READONLY …) apart; it names the failure best.
  const code = inner instanceof Error ? (inner as Error & { code?: unknown }).code : undefined
  if (typeof code === 'string' && !text.startsWith(code)) text = `${code}: ${text}`
  return clip(text, 300)
}
