// The shape of one system setting's definition (setting-defs.ts lists them).

export type SettingType = 'int' | 'bool' | 'string'
export type SettingValue = number | boolean | string

export interface SettingDef {
  key: string
  name: string
  type: SettingType
  default: SettingValue
  description: string
  category: 'Basic' | 'Request' | 'Key'
  /** Inclusive bounds of an int. Every int has both: a value that becomes a timer stays far below
   * 2^31-1 ms (about 24.8 days), past which JS timers fire at once. */
  min?: number
  max?: number
  required?: boolean
  groupOverridable: boolean
  /** Extra check beyond type/min/required; returns an error message or null. */
  check?: (v: SettingValue) => string | null
}
