// The CoreConfig the workerd tests build their Deps with: the test AUTH_KEY, a 1 MiB body limit,
// CORS off, and a master node.
import type { CoreConfig } from '../../src/deps'

export const testCoreConfig = (authKey: string): CoreConfig => ({
  authKey,
  maxBodyBytes: 1024 * 1024,
  maxConcurrentRequests: 100,
  cors: { enabled: false, origins: [], methods: [], headers: [], credentials: false },
  isMaster: true,
})
