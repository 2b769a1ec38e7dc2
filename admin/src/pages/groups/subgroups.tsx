// An aggregate's members with their weights (add, re-weight, remove), and for a standard group
// the aggregates it belongs to.
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { Group, ParentGroup, SubGroupItem } from '../../types'
import { ErrorBox, Loaded, useResource } from '../../ui'

const WeightCell = (props: { item: SubGroupItem; onSave(weight: string): Promise<void> }) => {
  const { t } = usePrefs()
  const [value, setValue] = useState(String(props.item.weight))
  const name = props.item.group.name
  const changed = value !== String(props.item.weight)
  return (
    <form
      class="weight-edit"
      onSubmit={(e) => {
        e.preventDefault()
        void props.onSave(value)
      }}
    >
      <input
        inputMode="numeric"
        aria-label={t('grp.weightOf', { name })}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <button type="submit" class="btn btn-small" disabled={!changed}>
        {t('grp.saveWeight')}
      </button>
    </form>
  )
}

const toWeight = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : text)

export const SubGroups = (props: { group: Group; groups: Group[]; onChanged(): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const base = `/groups/${props.group.id}/sub-groups`
  const res = useResource(() => api.get<SubGroupItem[]>(base), [api, base])
  const [error, setError] = useState<string | null>(null)
  const [pick, setPick] = useState('')
  const [weight, setWeight] = useState('1')
  const run = async (action: () => Promise<unknown>) => {
    setError(null)
    try {
      await action()
      res.reload()
      props.onChanged()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  const members = new Set(res.data?.map((m) => m.group.id) ?? [])
  const candidates = props.groups.filter((g) => g.group_type === 'standard' && !members.has(g.id))
  const total = res.data?.reduce((sum, m) => sum + m.weight, 0) ?? 0

  return (
    <section class="card" aria-labelledby="sg-title">
      <h2 id="sg-title">{t('grp.subGroups')}</h2>
      {error && <ErrorBox message={error} />}
      <Loaded res={res}>
        {(items) =>
          items.length === 0 ? (
            <p class="muted">{t('grp.noSubGroups')}</p>
          ) : (
            <div class="table-wrap">
              <table class="sub-groups">
                <thead>
                  <tr>
                    <th>{t('grp.name')}</th>
                    <th>{t('grp.weight')}</th>
                    <th class="num">{t('grp.share')}</th>
                    <th class="num">{t('grp.keys')}</th>
                    <th>{t('keys.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((m) => (
                    <tr key={m.group.id} data-member={m.group.name}>
                      <td>
                        <a href={`/groups/${m.group.id}`}>{m.group.display_name || m.group.name}</a>
                        {!m.group.enabled && (
                          <span class="badge badge-medium">{t('groups.disabled')}</span>
                        )}
                      </td>
                      <td>
                        <WeightCell
                          key={`${m.group.id}-${m.weight}`}
                          item={m}
                          onSave={(w) =>
                            run(() =>
                              api.put(`${base}/${m.group.id}/weight`, { weight: toWeight(w) }),
                            )
                          }
                        />
                      </td>
                      <td class="num">
                        {total > 0 ? `${Math.round((m.weight / total) * 100)}%` : '—'}
                      </td>
                      <td class="num">
                        {m.active_keys} / {m.total_keys}
                      </td>
                      <td>
                        <button
                          type="button"
                          class="btn btn-small"
                          aria-label={t('grp.removeMember', { name: m.group.name })}
                          onClick={() => run(() => api.del(`${base}/${m.group.id}`))}
                        >
                          {t('grp.remove')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      <form
        class="toolbar add-member"
        onSubmit={(e) => {
          e.preventDefault()
          if (pick === '') return
          void run(() =>
            api.post(base, { sub_groups: [{ group_id: Number(pick), weight: toWeight(weight) }] }),
          ).then(() => setPick(''))
        }}
      >
        <div class="grow">
          <label for="sg-pick">{t('grp.addMember')}</label>
          <select id="sg-pick" value={pick} onChange={(e) => setPick(e.currentTarget.value)}>
            <option value="">{t('grp.chooseGroup')}</option>
            {candidates.map((g) => (
              <option value={String(g.id)}>
                {g.display_name || g.name} ({g.channel_type})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="sg-weight">{t('grp.weight')}</label>
          <input
            id="sg-weight"
            class="narrow"
            inputMode="numeric"
            value={weight}
            onInput={(e) => setWeight(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="btn" disabled={pick === ''}>
          {t('grp.add')}
        </button>
      </form>
    </section>
  )
}

export const ParentGroups = ({ group }: { group: Group }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const res = useResource(
    () => api.get<ParentGroup[]>(`/groups/${group.id}/parent-aggregate-groups`),
    [api, group.id],
  )
  return (
    <section class="card" aria-labelledby="pg-title">
      <h2 id="pg-title">{t('grp.parents')}</h2>
      <Loaded res={res}>
        {(items) =>
          items.length === 0 ? (
            <p class="muted">{t('grp.noParents')}</p>
          ) : (
            <ul class="parents">
              {items.map((p) => (
                <li>
                  <a href={`/groups/${p.group_id}`}>{p.display_name || p.name}</a>{' '}
                  <span class="muted">{t('grp.withWeight', { n: p.weight })}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  )
}
