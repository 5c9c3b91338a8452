// Display helpers: money in fen → 元, times in Asia/Shanghai.
const TZ = 'Asia/Shanghai'
const dateFmt = new Intl.DateTimeFormat('zh-CN', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' })
const timeFmt = new Intl.DateTimeFormat('zh-CN', {
  timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
})

export const yuan = (fen) => (Number(fen || 0) / 100).toFixed(2)
export const day = (iso) => (iso ? dateFmt.format(new Date(iso)) : '')
export const when = (iso) => (iso ? timeFmt.format(new Date(iso)) : '')

export const DELIVERY = { window: '窗口领取', express: '快递送达', online: '电子送达' }
export const PROGRESS = ['已收件', '已受理', '审批中', '特别程序', '已办结', '已出件']

// a wallet id (lib:… / cert:…) as a path segment: the colon kept, as the API's routes read it
export const walletPath = (id) => encodeURIComponent(id).replace(/%3A/gi, ':')
