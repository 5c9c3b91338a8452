// The staff JSON API and nothing else: the staff token, one error shape, refresh on expiry,
// files fetched with the token (a material, a document, an export). Every page goes through here.
import { reactive } from 'vue'
import { ApiError, refreshPair, urlOf } from '../../shared/api-common.js'

export { ApiError }

const KEY = 'zsb.staff'
const BASE = '/api/v1/staff'

export const session = reactive(load())

function load() {
  try {
    return { access: null, refresh: null, me: null, ...JSON.parse(sessionStorage.getItem(KEY) || '{}') }
  } catch {
    return { access: null, refresh: null, me: null }
  }
}

function save() {
  sessionStorage.setItem(KEY, JSON.stringify(session))
}

export function signedIn() {
  return Boolean(session.access)
}

export function forget() {
  Object.assign(session, { access: null, refresh: null, me: null })
  sessionStorage.removeItem(KEY)
}

/** An admin holds every role (the server says the same). */
export function has(...roles) {
  const mine = session.me?.roles || []
  return mine.includes('admin') || roles.some((r) => mine.includes(r))
}

function url(path, query) {
  return urlOf(BASE, path, query)
}

async function refreshTokens() {
  if (!session.refresh) return false
  const pair = await refreshPair(url('/auth/refresh'), session.refresh)
  if (pair === undefined) return false
  if (!pair) { forget(); return false }
  Object.assign(session, { access: pair.access_token, refresh: pair.refresh_token })
  save()
  return true
}

async function send(method, path, { body, query, retry = true } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (session.access) headers.Authorization = `Bearer ${session.access}`
  let response
  try {
    response = await fetch(url(path, query), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, { error: { code: 'NETWORK', message: '网络连接失败，请检查网络后重试' } })
  }
  if (response.status === 401 && retry && session.refresh && !path.startsWith('/auth/')) {
    const answer = await response.clone().json().catch(() => ({}))
    if (answer?.error?.code === 'TOKEN_EXPIRED' && await refreshTokens()) {
      return send(method, path, { body, query, retry: false })
    }
    forget()
    if (!location.pathname.endsWith('/login')) location.assign('/console/login')
  }
  if (!response.ok) {
    throw new ApiError(response.status, await response.json().catch(() => null))
  }
  return response
}

export async function request(method, path, options = {}) {
  const response = await send(method, path, options)
  return response.status === 204 ? null : response.json()
}

export const get = (path, query) => request('GET', path, { query })
export const post = (path, body = {}) => request('POST', path, { body })
export const put = (path, body = {}) => request('PUT', path, { body })
export const patch = (path, body = {}) => request('PATCH', path, { body })

/** A file the API answers (a material, a PDF, an export): its bytes, type and name. */
export async function file(path, query) {
  const response = await send('GET', path, { query })
  const disposition = response.headers.get('content-disposition') || ''
  const match = /filename\*=UTF-8''([^;]+)/.exec(disposition)
  return {
    blob: await response.blob(),
    type: response.headers.get('content-type') || 'application/octet-stream',
    name: match ? decodeURIComponent(match[1]) : 'download',
    inline: disposition.startsWith('inline'),
  }
}

export function download({ blob, name }) {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = name
  document.body.appendChild(link)
  link.click()
  setTimeout(() => { URL.revokeObjectURL(link.href); link.remove() }, 1000)
}

export async function login(username, password) {
  const pair = await request('POST', '/auth/login', { body: { username, password }, retry: false })
  Object.assign(session, { access: pair.access_token, refresh: pair.refresh_token })
  session.me = await get('/auth/me')
  save()
}
