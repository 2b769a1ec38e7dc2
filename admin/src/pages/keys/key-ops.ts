// The actions on chosen keys of a group, as API calls, each answered with the line the console
// shows afterwards. The multi-key routes take key values (`keys_text`), so callers pass the full
// values; one key's enable/disable goes through its own route by id.
import type { Api } from '../../api'
import type { Translate } from '../../i18n'
import type { KeyTestResults } from '../../types'

export type KeyOp = 'enable' | 'disable' | 'test' | 'restore' | 'delete'

export interface Notice {
  tone: 'ok' | 'bad'
  text: string
}

export interface OpKey {
  id: number
  /** The full value (revealed). */
  value: string
  /** The masked value, for messages. */
  masked: string
}

type Counted = Record<string, number>

export const runKeyOp = async (
  api: Api,
  t: Translate,
  groupId: number,
  op: KeyOp,
  keys: OpKey[],
): Promise<Notice> => {
  const body = { group_id: groupId, keys_text: keys.map((k) => k.value).join('\n') }
  const one = keys.length === 1 ? keys[0]! : null
  switch (op) {
    case 'enable':
    case 'disable': {
      const enabled = op === 'enable'
      let n = 1
      if (one) await api.put(`/keys/${one.id}/status`, { enabled })
      else n = (await api.put<Counted>('/keys/status', { ...body, enabled })).updated_count ?? 0
      return { tone: 'ok', text: t(enabled ? 'kx.enabled' : 'kx.disabled', { n }) }
    }
    case 'restore': {
      const r = await api.post<Counted>('/keys/restore-multiple', body)
      return { tone: 'ok', text: t('kx.restored', { n: r.restored_count ?? 0 }) }
    }
    case 'delete': {
      const r = await api.post<Counted>('/keys/delete-multiple', body)
      return { tone: 'ok', text: t('kx.deleted', { n: r.deleted_count ?? 0 }) }
    }
    case 'test': {
      const { results } = await api.post<KeyTestResults>('/keys/test-multiple', body)
      const valid = results.filter((r) => r.is_valid).length
      const first = results[0]
      if (one && first) {
        return first.is_valid
          ? { tone: 'ok', text: t('kx.testValid', { key: one.masked }) }
          : { tone: 'bad', text: t('kx.testInvalid', { key: one.masked, error: first.error }) }
      }
      const invalid = results.length - valid
      const text = t('kx.testMany', { total: results.length, valid, invalid })
      return { tone: invalid > 0 ? 'bad' : 'ok', text }
    }
  }
}
