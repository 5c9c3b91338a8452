// One live stream per tab (GET /messages/stream), shared by the pages that listen; it
// reconnects after a drop, with a growing pause, while anyone listens.
import { signedIn, stream } from './api.js'

const listeners = new Set()
let controller = null

async function run() {
  let pause = 1000
  while (listeners.size && signedIn()) {
    controller = new AbortController()
    try {
      await stream('/messages/stream', (type, data) => {
        pause = 1000
        for (const fn of listeners) fn(type, data)
      }, controller.signal)
    } catch (e) {
      if (e.name === 'AbortError') return
    }
    await new Promise((r) => setTimeout(r, pause))
    pause = Math.min(pause * 2, 30000)
  }
  controller = null
}

export function onLive(fn) {
  listeners.add(fn)
  if (!controller) run()
  return () => {
    listeners.delete(fn)
    if (!listeners.size && controller) { controller.abort(); controller = null }
  }
}
