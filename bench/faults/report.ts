// The fault bench's Markdown table and the README block it can rewrite.
import type { FaultRow } from './types'

const HEAD = [
  'scenario',
  'mode',
  'requests',
  'success',
  'attempts/req',
  'healthy keys penalised',
  'recovery',
  'truncated bytes as success',
  'failures by status',
  'note',
]

const toCells = (r: FaultRow, first: boolean) => [
  first ? r.scenario : '',
  r.mode === 'v1' ? 'v1 behaviour' : 'edgeload',
  String(r.requests),
  `${(r.successRate * 100).toFixed(1)} %`,
  r.attemptsPerRequest.toFixed(2),
  `${r.penalised} / ${r.healthy}`,
  r.recovery,
  String(r.truncatedBytes),
  r.failures || '–',
  r.note,
]

export const toMarkdown = (rows: FaultRow[]) => {
  const lines = [`| ${HEAD.join(' | ')} |`, `| ${HEAD.map(() => '---').join(' | ')} |`]
  rows.forEach((r, i) => {
    const first = i === 0 || rows[i - 1].scenario !== r.scenario
    lines.push(`| ${toCells(r, first).join(' | ')} |`)
  })
  return lines.join('\n')
}

export const START = '<!-- faults:start -->'
export const END = '<!-- faults:end -->'

/** Replaces the block between the markers; null when README has no such block. */
export const replaceBlock = (readme: string, body: string) => {
  const a = readme.indexOf(START)
  const b = readme.indexOf(END)
  if (a < 0 || b < a) return null
  return `${readme.slice(0, a + START.length)}\n\n${body}\n\n${readme.slice(b)}`
}
