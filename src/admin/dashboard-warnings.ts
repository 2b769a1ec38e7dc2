// The dashboard's warnings (reference §2.5, §8.3 #1): a short or guessable AUTH_KEY or proxy key,
// and deployment facts an operator should know. Messages never echo a secret, only where it is set.
import type { ConfigCache } from '../config/cache'
import type { DeploymentNotice } from '../deps'
import { safeEqual } from '../secrets/crypto'

export interface SecurityWarning {
  type: string
  message: string
  severity: 'high' | 'medium'
  suggestion: string
}

export const MIN_SECRET_LENGTH = 16
const WEAK_WORDS = ['password', 'passwd', '123456', 'qwerty', 'admin', 'secret', 'changeme', 'test']

/** Warnings follow the console's Accept-Language: Simplified Chinese for `zh…`, else English. */
export type WarningLang = 'en' | 'zh'

const TEXT = {
  en: {
    short: (what: string) => `${what} is shorter than ${MIN_SECRET_LENGTH} characters`,
    weak: (what: string) =>
      `${what} is easy to guess (a common word, one character class or few symbols)`,
    suggest: 'Use a random string of 32+ characters, e.g. from `openssl rand -base64 32`.',
    shared: 'AUTH_KEY is also a global proxy key, so API clients hold the admin secret',
    sharedFix: 'Set proxy_keys in the system settings to keys other than AUTH_KEY.',
    global: (n: number) => `Global proxy key #${n}`,
    group: (name: string, n: number) => `Group '${name}' proxy key #${n}`,
    perIsolate:
      'The key pool lives in each Workers isolate: rotation, cooldowns and the blacklist are not shared',
    perIsolateFix:
      'Bind Upstash Redis (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN secrets).',
  },
  zh: {
    short: (what: string) => `${what} 少于 ${MIN_SECRET_LENGTH} 个字符`,
    weak: (what: string) => `${what} 容易被猜到（常见单词、只有一类字符或字符种类太少）`,
    suggest: '请使用 32 个字符以上的随机字符串，例如 `openssl rand -base64 32` 的输出。',
    shared: 'AUTH_KEY 同时是全局代理密钥，API 客户端因此持有管理密钥',
    sharedFix: '在系统设置中把 proxy_keys 设为 AUTH_KEY 以外的密钥。',
    global: (n: number) => `全局代理密钥 #${n}`,
    group: (name: string, n: number) => `分组 '${name}' 的代理密钥 #${n}`,
    perIsolate: '密钥池位于每个 Workers 隔离实例中：轮换、冷却和黑名单不共享',
    perIsolateFix:
      '绑定 Upstash Redis（UPSTASH_REDIS_REST_URL 与 UPSTASH_REDIS_REST_TOKEN 密钥）。',
  },
}

export const toWarningLang = (acceptLanguage: string | undefined): WarningLang =>
  (acceptLanguage ?? '').trim().toLowerCase().startsWith('zh') ? 'zh' : 'en'

/** 'short' under 16 characters; 'weak' for common words, one character class or few symbols. */
export const secretStrength = (s: string): 'short' | 'weak' | 'ok' => {
  if (s.length < MIN_SECRET_LENGTH) return 'short'
  const lower = s.toLowerCase()
  if (WEAK_WORDS.some((w) => lower.includes(w))) return 'weak'
  if (/^\d+$/.test(s) || /^[a-z]+$/i.test(s)) return 'weak'
  if (new Set(s).size < 8) return 'weak'
  return 'ok'
}

export const securityWarnings = (
  authKey: string,
  cache: ConfigCache,
  encryptionKey?: string,
  lang: WarningLang = 'en',
  notices: DeploymentNotice[] = [],
): SecurityWarning[] => {
  const text = TEXT[lang]
  const check = (type: string, what: string, secret: string): SecurityWarning | null => {
    const strength = secretStrength(secret)
    if (strength === 'ok') return null
    const short = strength === 'short'
    return {
      type,
      message: short ? text.short(what) : text.weak(what),
      severity: short ? 'high' : 'medium',
      suggestion: text.suggest,
    }
  }
  const out: Array<SecurityWarning | null> = [check('AUTH_KEY', 'AUTH_KEY', authKey)]
  // A weak ENCRYPTION_KEY falls to guessing once the database leaks, salt or not.
  if (encryptionKey) out.push(check('ENCRYPTION_KEY', 'ENCRYPTION_KEY', encryptionKey))
  const global = cache.globalProxyKeys()
  global.forEach((k, i) => out.push(check('PROXY_KEY', text.global(i + 1), k)))
  // v1 seeds AUTH_KEY as a global proxy key, so the admin secret doubles as an API key (§8.3 #1).
  if (authKey && global.some((k) => safeEqual(k, authKey))) {
    out.push({
      type: 'PROXY_KEY',
      message: text.shared,
      severity: 'medium',
      suggestion: text.sharedFix,
    })
  }
  for (const e of cache.all()) {
    e.proxyKeys.forEach((k, i) =>
      out.push(check('GROUP_PROXY_KEY', text.group(e.group.name, i + 1), k)),
    )
  }
  if (notices.includes('pool_per_isolate')) {
    out.push({
      type: 'POOL_PER_ISOLATE',
      message: text.perIsolate,
      severity: 'medium',
      suggestion: text.perIsolateFix,
    })
  }
  return out.filter((w): w is SecurityWarning => w !== null)
}
