// Inside WeChat: the JS-SDK (wx.config signed by our server) and WeixinJSBridge for JSAPI pay.
// Outside WeChat none of this runs: the pages fall back to SMS login and WeChat Pay H5.
import wx from 'weixin-js-sdk'
import { api } from './api.js'

export const inWeChat = () => /MicroMessenger/i.test(navigator.userAgent)

let configured = null

// wx.config for this page (the signature covers the URL without its #fragment)
export function configure(jsApiList = ['chooseImage', 'previewImage'], openTagList = ['wx-open-subscribe']) {
  configured ||= api.get('/wechat/jssdk-config', { url: location.href.split('#')[0] }, { auth: false })
    .then((c) => new Promise((resolve, reject) => {
      wx.config({ debug: false, ...c, jsApiList, openTagList })
      wx.ready(() => resolve(wx))
      wx.error((e) => { configured = null; reject(e) })
    }))
  return configured
}

function bridge() {
  if (window.WeixinJSBridge) return Promise.resolve(window.WeixinJSBridge)
  return new Promise((resolve) => document.addEventListener('WeixinJSBridgeReady', () => resolve(window.WeixinJSBridge), { once: true }))
}

// JSAPI pay: answers 'ok', 'cancel' or throws
export async function jsapiPay(params) {
  const b = await bridge()
  return new Promise((resolve, reject) => {
    b.invoke('getBrandWCPayRequest', params, (res) => {
      const msg = (res && res.err_msg) || ''
      if (msg.endsWith(':ok')) resolve('ok')
      else if (msg.endsWith(':cancel')) resolve('cancel')
      else reject(new Error(msg || 'pay failed'))
    })
  })
}
