// The v1 success envelope `{code:0, message, data}` and its pagination shape (reference §2.1).
import type { Context } from 'hono'

export interface Paging {
  page: number
  page_size: number
}

export const DEFAULT_PAGE_SIZE = 15
export const MAX_PAGE_SIZE = 1000

/** 200 with the v1 envelope; `data` is left out when undefined, as Go's omitempty does. */
export const ok = (c: Context, data?: unknown, message = 'Success') =>
  c.json(data === undefined ? { code: 0, message } : { code: 0, message, data })

export const toPaginated = <T>(items: T[], total: number, p: Paging) => ({
  items,
  pagination: {
    page: p.page,
    page_size: p.page_size,
    total_items: total,
    total_pages: Math.ceil(total / p.page_size),
  },
})
