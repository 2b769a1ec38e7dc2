// An aggregate's members with their weights and priorities (add, change, remove), and for a
// standard group the aggregates it belongs to.
import { useState } from 'preact/hooks'
import { usePrefs, useSession } from '../../prefs'
import type { Group, ParentGroup, SubGroupItem } from '../../types'
import { ErrorBox, Loaded, useResource } from '../../ui'

/** A member's weight and priority: two cells, one form (the priority input joins it by id). */
const MemberEdit = (props: {
  item: SubGroupItem
  onSave(weight: string, priority: string): Promise<void>
}) => {
  const { t } = usePrefs()
  const { item } = props
  const [weight, setWeight] = useState(String(item.weight))
  const [priority, setPriority] = useState(String(item.priority))
  const name = item.group.name
  const formId = `sg-edit-${item.group.id}`
  const changed = weight !== String(item.weight) || priority !== String(item.priority)
  return (
    <>
      <td>
        <form
          id={formId}
          class="weight-edit"
          onSubmit={(e) => {
            e.preventDefault()
            void props.onSave(weight, priority)
          }}
        >
          <input
            inputMode="numeric"
            aria-label={t('grp.weightOf', { name })}
            value={weight}
            onInput={(e) => setWeight(e.currentTarget.value)}
          />
          <button type="submit" class="btn btn-small" disabled={!changed}>
            {t('grp.saveWeight')}
          </button>
        </form>
      </td>
      <td class="priority-edit">
        <input
          form={formId}
          inputMode="numeric"
          aria-label={t('grp.priorityOf', { name })}
          value={priority}
          onInput={(e) => setPriority(e.currentTarget.value)}
        />
      </td>
    </>
  )
}

/** A whole number is sent as one; anything else as typed, so the API's 400 names it. */
const toInt = (text: string) => (/^-?\d+$/.test(text.trim()) ? Number(text) : text)

export const SubGroups = (props: { group: Group; groups: Group[]; onChanged(): void }) => {
  const { t } = usePrefs()
  const { api } = useSession()
  const base = `/groups/${props.group.id}/sub-groups`
  const res = useResource(() => api.get<SubGroupItem[]>(base), [api, base])
  const [error, setError] = useState<string | null>(null)
  const [pick, setPick] = useState('')
  const [weight, setWeight] = useState('1')
  const [priority, setPriority] = useState('0')
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
  // Weights share requests among members of one priority only.
  const totals = new Map<number, number>()
  for (const m of res.data ?? []) totals.set(m.priority, (totals.get(m.priority) ?? 0) + m.weight)

  return (
    <section class="card" aria-labelledby="sg-title">
      <h2 id="sg-title">{t('grp.subGroups')}</h2>
      {error && <ErrorBox message={error} />}
      <p class="muted">{t('grp.priorityHelp')}</p>
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
                    <th>{t('grp.priority')}</th>
                    <th class="num">{t('grp.share')}</th>
                    <th class="num">{t('grp.keys')}</th>
                    <th>{t('keys.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...items]
                    .sort((a, b) => b.priority - a.priority)
                    .map((m) => (
                      <tr key={m.group.id} data-member={m.group.name}>
                        <td>
                          <a href={`/groups/${m.group.id}`}>
                            {m.group.display_name || m.group.name}
                          </a>
                          {!m.group.enabled && (
                            <span class="badge badge-medium">{t('groups.disabled')}</span>
                          )}
                        </td>
                        <MemberEdit
                          key={`${m.group.id}-${m.weight}-${m.priority}`}
                          item={m}
                          onSave={(w, p) =>
                            run(() =>
                              api.put(`${base}/${m.group.id}`, {
                                weight: toInt(w),
                                priority: toInt(p),
                              }),
                            )
                          }
                        />
                        <td class="num">
                          {(totals.get(m.priority) ?? 0) > 0
                            ? `${Math.round((m.weight / totals.get(m.priority)!) * 100)}%`
                            : '—'}
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
            api.post(base, {
              sub_groups: [
                { group_id: Number(pick), weight: toInt(weight), priority: toInt(priority) },
              ],
            }),
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
        <div>
          <label for="sg-priority">{t('grp.priority')}</label>
          <input
            id="sg-priority"
            class="narrow"
            inputMode="numeric"
            value={priority}
            onInput={(e) => setPriority(e.currentTarget.value)}
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
                  <span class="muted">
                    {t('grp.withWeight', { n: p.weight })} ·{' '}
                    {t('grp.withPriority', { n: p.priority })}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  )
}
