// Where the admin key lives in the browser: sessionStorage (gone with the tab) unless the user
// asked to be remembered, then localStorage. Logout clears both.
const KEY = 'edgeload.adminKey'

export const loadAdminKey = (): string | null =>
  sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY)

export const saveAdminKey = (key: string, remember: boolean) => {
  clearAdminKey()
  ;(remember ? localStorage : sessionStorage).setItem(KEY, key)
}

export const clearAdminKey = () => {
  sessionStorage.removeItem(KEY)
  localStorage.removeItem(KEY)
}
