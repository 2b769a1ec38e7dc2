// Redis round trips during a measured window. Every call a node makes to Redis is one script
// (EVALSHA, or EVAL once after Redis lost its script cache), so their count from
// `INFO commandstats` is the node's round trips; commands run inside scripts are not counted.
// commandstats is server-wide: another client's scripts in the window count too. The picks
// come from the bench group's round-robin turn counter under the node's own prefix, which a pick
// advances by one key on the happy path (no key cooling, marked or excluded), so they are exact.
import type { Redis } from 'ioredis'

export interface RedisCounts {
  /** EVALSHA + EVAL calls, server-wide. */
  scripts: number
  /** The bench group's turn counter. */
  turn: number
}

const calls = (info: string, command: string) =>
  Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0)

export const redisCounts = async (
  client: Redis,
  prefix: string,
  groupId: number,
): Promise<RedisCounts> => {
  const [info, turn] = await Promise.all([
    client.info('commandstats'),
    client.hget(`${prefix}g:${groupId}:meta`, 'turn'),
  ])
  return { scripts: calls(info, 'evalsha') + calls(info, 'eval'), turn: Number(turn ?? 0) }
}
