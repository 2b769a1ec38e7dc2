// The Logs page's state in the URL: v1's filters (reference §2.5) plus page and page size, so a
// filtered view can be shared as a link and survives a reload. Values are kept as the API takes
// them (times as RFC 3339 in UTC), and only non-empty ones appear in the URL.

export const FILTERS = [
  'group_name',
  'parent_group_name',
  'key_value',
  'model',
  'is_success',
  'request_type',
  'status_code',
  'source_ip',
  'error_contains',
  'start_time',
  'end_time',
] as const

export type FilterName = (typeof FILTERS)[number]
export type Filters = Partial<Record<FilterName, string>>

export const PAGE_SIZES = [20, 50, 100] as const

export interface LogsView {
  filters: Filters
  page: number
  pageSize: number
}

const toPositive = (s: string | undefined, fallback: number) => {
  const n = Number(s)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

export const toView = (query: Record<string, string>): LogsView => {
  const filters: Filters = {}
  for (const f of FILTERS) if (query[f]) filters[f] = query[f]
  const size = toPositive(query.page_size, PAGE_SIZES[0])
  return {
    filters,
    page: toPositive(query.page, 1),
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : PAGE_SIZES[0],
  }
}

/** The path and query for a view; page 1 and the default size are left out to keep links short. */
export const toHref = (view: LogsView) => {
  const params = new URLSearchParams()
  for (const f of FILTERS) {
    const v = view.filters[f]?.trim()
    if (v) params.set(f, v)
  }
  if (view.page > 1) params.set('page', String(view.page))
  if (view.pageSize !== PAGE_SIZES[0]) params.set('page_size', String(view.pageSize))
  const qs = params.toString()
  return qs ? `/logs?${qs}` : '/logs'
}

/** The API query for a view (filters plus paging). */
export const toApiQuery = (view: LogsView) => ({
  ...view.filters,
  page: view.page,
  page_size: view.pageSize,
})

const pad = (n: number) => String(n).padStart(2, '0')

/** RFC 3339 (UTC) to the `datetime-local` input's local "YYYY-MM-DDThh:mm"; '' when invalid. */
export const toLocalInput = (iso: string | undefined) => {
  const d = iso ? new Date(iso) : null
  if (!d || Number.isNaN(d.getTime())) return ''
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** The input's local time to RFC 3339 in UTC, as the API requires; '' when empty. */
export const fromLocalInput = (local: string) => {
  if (!local) return ''
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}
