// WeChat web OAuth from the H5: ask our server for the authorize URL (a signed, single-use
// state bound to this browser by an HttpOnly cookie), go there, come back to /wechat/callback.
import { api } from './api.js'

export async function startWeChatLogin(next, scope = 'snsapi_base') {
  const back = new URL('/h5/wechat/callback', location.origin)
  back.searchParams.set('next', next || '/')
  const { url } = await api.get('/auth/wechat/authorize-url', { redirect_uri: back.toString(), scope }, { auth: false })
  location.assign(url)
}
