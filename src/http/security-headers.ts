// Security headers for the console and the admin API (issue 9), defined once so every runtime that
// serves either sends the same. Proxied responses never get them: they pass the upstream's headers.
import type { MiddlewareHandler } from 'hono'

const COMMON = {
  'x-content-type-options': 'nosniff',
  // Older browsers ignore CSP frame-ancestors; X-Frame-Options covers them.
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
}

/**
 * The console loads only its own hashed scripts and styles, and talks only to its own API. It has
 * no inline script or style (Preact sets styles through the CSSOM, which CSP allows); the favicon
 * is a data: SVG. test/e2e/csp.test.ts walks every screen in Chromium and expects no violation.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** The API answers JSON and CSV: nothing in it may load or run anything. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'"

export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON,
  'content-security-policy': CONSOLE_CSP,
}

export const API_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON,
  'content-security-policy': API_CSP,
}

/** Sets `headers` on every response that passes through, errors included. */
export const securityHeaders =
  (headers: Readonly<Record<string, string>>): MiddlewareHandler =>
  async (c, next) => {
    await next()
    for (const name in headers) c.header(name, headers[name])
  }
