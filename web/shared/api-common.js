// What both front ends' API clients share (web/h5/src/api.js, web/console/src/api.js): the one
// error shape of our JSON API, query strings, and a token refresh that runs once however many
// requests find the token expired at the same moment.

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {}
    super(error.message || (status >= 500 ? '服务暂时不可用，请稍后再试' : '请求失败'))
    this.status = status
    this.code = error.code || `HTTP_${status}`
    this.fields = error.fields || {}
  }
}

export function urlOf(base, path, query) {
  const u = new URL(base + path, location.origin)
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v)
  }
  return u.pathname + u.search
}

let pending = null

/** A new token pair for ``refreshToken``: the pair, null when refused, undefined when the
 *  network failed (keep the session and let the person try again). */
export function refreshPair(url, refreshToken) {
  pending ||= fetch(url, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  }).then((r) => (r.ok ? r.json() : null)).catch(() => undefined).finally(() => { pending = null })
  return pending
}
