// The citizen JSON API and nothing else: tokens, one error shape, refresh on expiry, uploads
// with progress. Every page goes through here.
import { reactive } from 'vue'
import { ApiError, refreshPair, urlOf } from '../../shared/api-common.js'

export { ApiError }

const KEY = 'zsb.session'
const BASE = '/api/v1'

export const session = reactive(load())

function load() {
  try {
    return { access: null, refresh: null, personId: null, channel: null,
      ...JSON.parse(localStorage.getItem(KEY) || '{}') }
  } catch {
    return { access: null, refresh: null, personId: null, channel: null }
  }
}

export function signedIn() {
  return Boolean(session.access)
}

export function remember(pair) {
  Object.assign(session, {
    access: pair.access_token, refresh: pair.refresh_token,
    personId: pair.person_id ?? session.personId, channel: pair.channel ?? session.channel ?? 'app',
  })
  localStorage.setItem(KEY, JSON.stringify(session))
}

export function forget() {
  Object.assign(session, { access: null, refresh: null, personId: null, channel: null })
  localStorage.removeItem(KEY)
}

function url(path, query) {
  return urlOf(BASE, path, query)
}

async function refreshTokens() {
  if (!session.refresh) return false
  const pair = await refreshPair(url('/auth/refresh'), session.refresh)
  if (pair === undefined) return false
  if (!pair) { forget(); return false }
  remember(pair)
  return true
}

export async function request(method, path, { body, query, auth = true, retry = true } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (auth && session.access) headers.Authorization = `Bearer ${session.access}`
  let response
  try {
    response = await fetch(url(path, query), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    })
  } catch {
    throw new ApiError(0, { error: { code: 'NETWORK', message: '网络连接失败，请检查网络后重试' } })
  }
  if (response.status === 401 && auth && retry && session.refresh && await refreshTokens()) {
    return request(method, path, { body, query, auth, retry: false })
  }
  const text = await response.text()
  const data = text ? JSON.parse(text) : null
  if (!response.ok) throw new ApiError(response.status, data)
  return data
}

export const api = {
  get: (path, query, opts) => request('GET', path, { query, ...opts }),
  post: (path, body, opts) => request('POST', path, { body: body ?? {}, ...opts }),
  put: (path, body, opts) => request('PUT', path, { body, ...opts }),
  patch: (path, body, opts) => request('PATCH', path, { body, ...opts }),
  del: (path, opts) => request('DELETE', path, opts),
}

// fetch cannot report upload progress; XMLHttpRequest can
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url(path))
    if (session.access) xhr.setRequestHeader('Authorization', `Bearer ${session.access}`)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(Math.round((e.loaded / e.total) * 100))
    xhr.onload = () => {
      const data = xhr.responseText ? JSON.parse(xhr.responseText) : null
      if (xhr.status >= 200 && xhr.status < 300) resolve(data)
      else reject(new ApiError(xhr.status, data))
    }
    xhr.onerror = () => reject(new ApiError(0, { error: { code: 'NETWORK', message: '上传失败，请检查网络后重试' } }))
    xhr.send(formData)
  })
}

// Server-sent events need the Authorization header, which EventSource cannot send: read the
// stream with fetch. Calls onEvent(type, data); resolves when the stream ends.
export async function stream(path, onEvent, signal) {
  const response = await fetch(url(path), {
    headers: { Authorization: `Bearer ${session.access}`, Accept: 'text/event-stream' }, signal,
  })
  if (!response.ok || !response.body) throw new ApiError(response.status, null)
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += value
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let type = 'message'
      const data = []
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).trim())
      }
      if (data.length) onEvent(type, JSON.parse(data.join('\n')))
    }
  }
}

// a file behind the login (a certificate's PDF): fetched with the token, answered as a Blob
export async function blob(path) {
  const go = () => fetch(url(path), { headers: session.access ? { Authorization: `Bearer ${session.access}` } : {} })
  let response = await go().catch(() => null)
  if (response && response.status === 401 && await refreshTokens()) response = await go().catch(() => null)
  if (!response) throw new ApiError(0, { error: { code: 'NETWORK', message: '网络连接失败，请检查网络后重试' } })
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null))
  return response.blob()
}
