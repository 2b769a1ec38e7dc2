// Whether ENCRYPTION_KEY and the stored keys agree (reference §2.5 encryption-status), from one
// sample of each storage form rather than a scan of every key.
import { SEALED_PREFIX, type KeySecrets } from './seal'
import type { Store } from '../store/types'

export interface EncryptionStatus {
  has_mismatch: boolean
  scenario_type: '' | 'data_not_encrypted' | 'key_not_configured' | 'key_mismatch'
  message: string
  suggestion: string
}

export const encryptionStatus = async (
  store: Store,
  secrets: KeySecrets,
): Promise<EncryptionStatus> => {
  const { sealed, plain } = await store.keyStorageSample(SEALED_PREFIX)
  const mismatch = (
    scenario_type: EncryptionStatus['scenario_type'],
    message: string,
    suggestion: string,
  ): EncryptionStatus => ({ has_mismatch: true, scenario_type, message, suggestion })

  if (!secrets.encrypts) {
    return sealed
      ? mismatch(
          'key_not_configured',
          'Stored keys are encrypted, but ENCRYPTION_KEY is not set: they cannot be used.',
          'Set ENCRYPTION_KEY to the key that encrypted them, or decrypt them with `npm run migrate-keys -- --from <key>`.',
        )
      : { has_mismatch: false, scenario_type: '', message: '', suggestion: '' }
  }
  if (sealed) {
    try {
      await secrets.open(sealed)
    } catch {
      return mismatch(
        'key_mismatch',
        'ENCRYPTION_KEY does not match the key that encrypted the stored keys.',
        'Restore the previous ENCRYPTION_KEY, or re-key with `npm run migrate-keys -- --from <old key> --to <new key>`.',
      )
    }
  }
  if (plain) {
    return mismatch(
      'data_not_encrypted',
      'ENCRYPTION_KEY is set, but some stored keys are not encrypted yet.',
      'Encrypt them with `npm run migrate-keys -- --to <ENCRYPTION_KEY>` while the gateway is stopped.',
    )
  }
  return { has_mismatch: false, scenario_type: '', message: '', suggestion: '' }
}
