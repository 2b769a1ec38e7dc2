// The text of a store error that logs and GET /health/ready may show: the driver's own message.
// drizzle wraps a failed statement as "Failed query: … params: …", and the params of a log batch
// are the rows themselves (request bodies included), so its message is never used.

export const storeErrorText = (err: unknown): string => {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err
  const text = inner instanceof Error ? inner.message : String(inner)
  return text.startsWith('Failed query:') ? 'a database statement failed' : text.slice(0, 300)
}
