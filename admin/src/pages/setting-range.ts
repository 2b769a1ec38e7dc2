// The settings form's own range check: the API sends each int's min_value and max_value, so a
// value outside them is named in the UI language before a request is made.
import type { Translate } from '../i18n/index'
import type { SettingMeta, SettingValue } from '../types'

/** Changed ints outside the API's range, refused here in the UI language before any request. */
export const toRangeErrors = (
  all: SettingMeta[],
  changed: Record<string, SettingValue>,
  t: Translate,
) => {
  const errors: Record<string, string> = {}
  for (const s of all) {
    const v = changed[s.key]
    if (s.type !== 'int' || s.max_value === undefined || !(s.key in changed)) continue
    const min = s.min_value ?? 0
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > s.max_value)
      errors[s.key] = t('settings.outOfRange', { min, max: s.max_value })
  }
  return errors
}
