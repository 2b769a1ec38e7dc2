// The 24-hour success/failure chart as plain SVG: two lines over shared hourly labels, a light
// grid with three y-ticks, and hour labels spaced to fit. No chart library (bundle size). The
// SVG is drawn at its box's real width, so its text stays legible on a phone.
import { useEffect, useRef, useState } from 'preact/hooks'
import { usePrefs } from '../prefs'
import type { ChartData } from '../types'

const H = 240
const PAD = { left: 44, right: 12, top: 12, bottom: 28 }

/** A max that gives round tick labels: 1, 2 or 5 times a power of ten. */
const niceMax = (n: number) => {
  if (n <= 4) return 4
  const p = 10 ** Math.floor(Math.log10(n))
  return ([1, 2, 5, 10].map((m) => m * p).find((v) => v >= n) ?? n) as number
}

export const Chart = ({ data, lang }: { data: ChartData; lang: string }) => {
  const { t } = usePrefs()
  const box = useRef<HTMLElement>(null)
  const [W, setW] = useState(720)
  useEffect(() => {
    const el = box.current
    if (!el) return
    const observer = new ResizeObserver(() => setW(Math.max(280, Math.round(el.clientWidth))))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  const every = W < 560 ? 6 : 4
  const [ok, failed] = [data.datasets[0]?.data ?? [], data.datasets[1]?.data ?? []]
  const max = niceMax(Math.max(0, ...ok, ...failed))
  const n = data.labels.length
  const x = (i: number) => PAD.left + (i * (W - PAD.left - PAD.right)) / Math.max(1, n - 1)
  const y = (v: number) => H - PAD.bottom - (v * (H - PAD.top - PAD.bottom)) / max
  const line = (vals: number[]) => vals.map((v, i) => `${i ? 'L' : 'M'}${x(i)},${y(v)}`).join('')
  const area = (vals: number[]) => `${line(vals)}L${x(n - 1)},${y(0)}L${x(0)},${y(0)}Z`
  const sum = (vals: number[]) => vals.reduce((a, b) => a + b, 0)
  const hour = (iso: string) =>
    new Date(iso).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      hour: '2-digit',
      minute: '2-digit',
    })
  const summary = t('dash.chartSummary', { ok: sum(ok), failed: sum(failed) })
  return (
    <figure class="chart" ref={box}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {[0, max / 2, max].map((v) => (
          <g>
            <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text class="tick" x={PAD.left - 6} y={y(v) + 4} text-anchor="end">
              {v.toLocaleString()}
            </text>
          </g>
        ))}
        {data.labels.map((l, i) =>
          // Counted back from the newest hour, so the last label never crowds its neighbour.
          (n - 1 - i) % every === 0 ? (
            <text class="tick" x={x(i)} y={H - 8} text-anchor={i === n - 1 ? 'end' : 'middle'}>
              {hour(l)}
            </text>
          ) : null,
        )}
        <path class="area-ok" d={area(ok)} />
        <path class="line-ok" d={line(ok)} />
        <path class="area-failed" d={area(failed)} />
        <path class="line-failed" d={line(failed)} />
      </svg>
      <figcaption class="legend">
        <span class="key key-ok" /> {t('dash.success')} ({sum(ok).toLocaleString()})
        <span class="key key-failed" /> {t('dash.failed')} ({sum(failed).toLocaleString()})
      </figcaption>
    </figure>
  )
}
