// Groups & keys: the group list (reorderable, endpoints copyable) beside the chosen group —
// /groups/:id shows its actions, stats, members or parents and keys; /groups/new and
// /groups/:id/edit show the group form, loaded only when first opened.
import { lazy, useLocation, useRoute } from 'preact-iso'
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../prefs'
import type { GroupFull } from '../types'
import { Loaded, useResource } from '../ui'
import { AddKeys } from './add-keys'
import { GroupActions } from './groups/group-actions'
import { GroupList } from './groups/group-list'
import { GroupStats } from './groups/group-stats'
import { ParentGroups, SubGroups } from './groups/subgroups'
import { KeyTable } from './keys/key-table'
import '../styles/groups.css'

const GroupForm = lazy(() => import('./groups/group-form').then((m) => m.GroupForm))

export const Groups = () => {
  const { t } = usePrefs()
  const { api } = useSession()
  const { route } = useLocation()
  const { params } = useRoute()
  const creating = params.id === 'new'
  const id = params.id && !creating ? Number(params.id) : null
  const editing = params.view === 'edit'
  const groups = useResource(() => api.get<GroupFull[]>('/groups'), [api])
  // Bumped after an import or a change to the group, so the key table and stats reload.
  const [version, setVersion] = useState(0)
  const group = groups.data?.find((g) => g.id === id) ?? null
  const changed = () => {
    groups.reload()
    setVersion((v) => v + 1)
  }
  const open = (to: number) => {
    groups.reload()
    route(`/groups/${to}`)
  }

  const main = () => {
    if (creating) return <GroupForm group={null} onSaved={open} onCancel={() => route('/groups')} />
    // A stale link or bookmark (the group was deleted) says so instead of showing nothing.
    if (!group && id !== null && groups.data)
      return (
        <p class="alert alert-warn" role="alert">
          {t('groups.missing', { id })}
        </p>
      )
    if (!group) return groups.data && <p class="card muted">{t('groups.pick')}</p>
    if (editing)
      return (
        <GroupForm group={group} onSaved={open} onCancel={() => route(`/groups/${group.id}`)} />
      )
    return (
      <>
        <GroupActions
          group={group}
          onChanged={changed}
          onCopied={open}
          onDeleted={() => {
            groups.reload()
            route('/groups')
          }}
        />
        <GroupStats group={group} version={version} />
        {group.group_type === 'aggregate' ? (
          <SubGroups group={group} groups={groups.data ?? []} onChanged={changed} />
        ) : (
          <>
            <KeyTable group={group} version={version} onChanged={() => setVersion((v) => v + 1)} />
            <AddKeys group={group} onDone={() => setVersion((v) => v + 1)} />
            <ParentGroups group={group} />
          </>
        )}
      </>
    )
  }

  return (
    <>
      <div class="page-head">
        <h1>{t('nav.groups')}</h1>
        <a class="btn btn-primary" href="/groups/new" aria-current={creating ? 'page' : undefined}>
          {t('grp.new')}
        </a>
      </div>
      <div class="split">
        <section class="card" aria-labelledby="groups-title">
          <h2 id="groups-title">{t('groups.title')}</h2>
          <Loaded res={groups}>
            {(list) => <GroupList groups={list} current={id} onReordered={groups.reload} />}
          </Loaded>
        </section>
        <div class="split-main">{main()}</div>
      </div>
    </>
  )
}
