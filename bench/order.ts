// The order a round measures its targets in.

/**
 * The first process of every target, then every second process, and so on (stable otherwise).
 * A round takes each copied target's cheapest process, so its processes should sample the same
 * stretch of the round as the others' do: back to back, the yardstick's copies would be measured
 * a minute before edgeload's, and the machine's drift would land on one side of the ratio.
 */
export const byCopy = <T>(items: readonly { target: T; copy: number }[]): T[] =>
  items
    .map((item, i) => ({ ...item, i }))
    .sort((a, b) => a.copy - b.copy || a.i - b.i)
    .map((item) => item.target)
