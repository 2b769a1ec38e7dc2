// The console's one door to the admin API: attaches the admin key and the UI language, unwraps
// the `{code, message, data}` envelope, and turns every failure into an ApiError with a message
// a person can read (network down, 4xx/5xx envelope, or a body that is not JSON).

import { createTranslate } from './i18n'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** A failed fetch (the gateway is down or unreachable), said in the UI's language. */
const unreachable = (httpLang = '') =>
  new ApiError(
    0,
    'NETWORK',
    createTranslate(httpLang.startsWith('zh') ? 'zh' : 'en')('common.unreachable'),
  )

type Query = Record<string, string | number | boolean | undefined>

export interface Api {
  get<T>(path: string, query?: Query): Promise<T>
  put<T>(path: string, body: unknown): Promise<T>
  post<T>(path: string, body: unknown): Promise<T>
  del<T>(path: string): Promise<T>
  /** A multipart POST (a `.txt` upload); the browser sets the boundary. */
  upload<T>(path: string, form: FormData): Promise<T>
  /** A file (a CSV export) as a Blob, fetched with the key in a header, never in the URL. */
  download(path: string, query?: Query): Promise<{ blob: Blob; filename: string | null }>
}

const toUrl = (path: string, query?: Query) => {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return `/api${path}${qs ? `?${qs}` : ''}`
}

/** One request; resolves to the envelope's `data`, or rejects with an ApiError. */
const send = async <T>(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ data: T; message: string }> => {
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers:
        body === undefined || body instanceof FormData
          ? headers
          : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    })
  } catch {
    throw unreachable(headers['accept-language'])
  }
  const json = (await res.json().catch(() => null)) as {
    code?: number | string
    message?: string
    error?: string
    data?: T
  } | null
  if (!res.ok || json === null || (json.code !== undefined && json.code !== 0)) {
    const message = json?.message ?? json?.error ?? `HTTP ${res.status} ${res.statusText}`.trim()
    throw new ApiError(res.status, String(json?.code ?? 'HTTP_ERROR'), message)
  }
  return { data: json.data as T, message: json.message ?? '' }
}

/**
 * A client for one admin key. `onUnauthorized` runs on any 401, so a key that stops working
 * (AUTH_KEY changed on the server) sends the user back to the login form.
 */
export const createApi = (key: string, lang: string, onUnauthorized: () => void): Api => {
  const headers = { authorization: `Bearer ${key}`, 'accept-language': lang }
  const call = async <T>(method: string, url: string, body?: unknown) => {
    try {
      return (await send<T>(method, url, headers, body)).data
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized()
      throw err
    }
  }
  return {
    get: (path, query) => call('GET', toUrl(path, query)),
    put: (path, body) => call('PUT', toUrl(path), body),
    post: (path, body) => call('POST', toUrl(path), body),
    del: (path) => call('DELETE', toUrl(path)),
    upload: (path, form) => call('POST', toUrl(path), form),
    download: async (path, query) => {
      let res: Response
      try {
        res = await fetch(toUrl(path, query), { headers })
      } catch {
        throw unreachable(lang)
      }
      if (!res.ok) {
        const json = (await res.json().catch(() => null)) as { code?: string; message?: string }
        if (res.status === 401) onUnauthorized()
        throw new ApiError(
          res.status,
          String(json?.code ?? 'HTTP_ERROR'),
          json?.message ?? `HTTP ${res.status}`,
        )
      }
      const disposition = res.headers.get('content-disposition') ?? ''
      const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? null
      return { blob: await res.blob(), filename }
    },
  }
}

/** POST /api/auth/login: true when the key is the admin key; its answer is `{success, message}`. */
export const checkAdminKey = async (key: string, httpLang?: string): Promise<boolean> => {
  let res: Response
  try {
    res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth_key: key }),
    })
  } catch {
    throw unreachable(httpLang)
  }
  if (res.status === 401) return false
  const json = (await res.json().catch(() => null)) as { success?: boolean; message?: string }
  if (!res.ok) throw new ApiError(res.status, 'HTTP_ERROR', json?.message ?? `HTTP ${res.status}`)
  return json?.success === true
}
