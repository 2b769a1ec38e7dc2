// The key table's filters: status and exact search (the value is hashed on the server).
import { useState } from 'preact/hooks'
import { usePrefs } from '../../prefs'

export const KeyFilter = (props: {
  status: string
  onStatus(status: string): void
  onSearch(query: string): void
}) => {
  const { t } = usePrefs()
  const [search, setSearch] = useState('')
  return (
    <form
      class="toolbar"
      role="search"
      onSubmit={(e) => {
        e.preventDefault()
        props.onSearch(search.trim())
      }}
    >
      <div>
        <label for="keys-status">{t('keys.status')}</label>
        <select
          id="keys-status"
          value={props.status}
          onChange={(e) => props.onStatus(e.currentTarget.value)}
        >
          <option value="">{t('keys.all')}</option>
          <option value="active">{t('keys.active')}</option>
          <option value="invalid">{t('keys.invalid')}</option>
        </select>
      </div>
      <div class="grow">
        <label for="keys-search">{t('keys.search')}</label>
        <input
          id="keys-search"
          type="search"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="btn">
        {t('keys.searchButton')}
      </button>
    </form>
  )
}
