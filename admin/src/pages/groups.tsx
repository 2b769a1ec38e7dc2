// Groups & keys: the group list with each group's proxy endpoint (copyable), and for the chosen
// group (/groups/:id) its key table and the add-keys form.
import { useRoute } from 'preact-iso'
import { usePrefs, useSession } from '../prefs'
import type { Group } from '../types'
import { CopyButton, Loaded, useResource } from '../ui'
import { AddKeys } from './add-keys'
import { KeyTable } from './key-table'
import { useState } from 'preact/hooks'

const GroupList = ({ groups, current }: { groups: Group[]; current: number | null }) => {
  const { t } = usePrefs()
  if (groups.length === 0) return <p class="muted">{t('groups.empty')}</p>
  return (
    <ul class="group-list">
      {groups.map((g) => (
        <li class={g.id === current ? 'group current' : 'group'}>
          <a href={`/groups/${g.id}`} aria-current={g.id === current ? 'page' : undefined}>
            <strong>{g.display_name || g.name}</strong>
            <span class="badge">{g.group_type === 'aggregate' ? 'aggregate' : g.channel_type}</span>
            {!g.enabled && <span class="badge badge-medium">{t('groups.disabled')}</span>}
          </a>
          <div class="endpoint">
            <code title={t('groups.endpoint')}>{g.endpoint}</code>
            <CopyButton text={g.endpoint} label={t('groups.copyEndpoint', { name: g.name })} />
          </div>
        </li>
      ))}
    </ul>
  )
}

export const Groups = () => {
  const { t } = usePrefs()
  const { api } = useSession()
  const { params } = useRoute()
  const id = params.id ? Number(params.id) : null
  const groups = useResource(() => api.get<Group[]>('/groups'), [api])
  // Bumped after an import finishes so the key table reloads.
  const [version, setVersion] = useState(0)
  const group = groups.data?.find((g) => g.id === id) ?? null
  return (
    <>
      <h1>{t('nav.groups')}</h1>
      <div class="split">
        <section class="card" aria-labelledby="groups-title">
          <h2 id="groups-title">{t('groups.title')}</h2>
          <Loaded res={groups}>{(list) => <GroupList groups={list} current={id} />}</Loaded>
        </section>
        <div class="split-main">
          {group ? (
            <>
              <KeyTable group={group} version={version} />
              {group.group_type === 'standard' && (
                <AddKeys group={group} onDone={() => setVersion((v) => v + 1)} />
              )}
            </>
          ) : (
            groups.data && <p class="card muted">{t('groups.pick')}</p>
          )}
        </div>
      </div>
    </>
  )
}
