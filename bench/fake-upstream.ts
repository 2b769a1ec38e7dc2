// The fake upstream as a process, for the benchmark:
//   tsx bench/fake-upstream.ts --port N [--events 20] [--event-delay 0]
// Prints one JSON line `{"url": ...}` once listening; recording is off so memory stays flat.
import { parseArgs } from 'node:util'
import { startFakeUpstream } from '../test/helpers/fake-upstream'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    events: { type: 'string', default: '5' },
    'event-delay': { type: 'string', default: '0' },
  },
})

const upstream = await startFakeUpstream({
  port: Number(values.port),
  host: values.host,
  record: false,
  behaviours: {
    default: { events: Number(values.events), eventDelayMs: Number(values['event-delay']) },
  },
})
process.stdout.write(`${JSON.stringify({ url: upstream.url, port: upstream.port })}\n`)

const stop = () => void upstream.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
