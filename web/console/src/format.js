// What the pages show the same way everywhere: times, money, statuses, clock colours, roles.

const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hour12: false,
})

export function time(iso) {
  return iso ? TIME.format(new Date(iso)).replace(/\//g, '-') : '—'
}

export function yuan(fen) {
  return fen === null || fen === undefined ? '—' : `¥${(fen / 100).toFixed(2)}`
}

export function pct(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`
}

export const STATUS = {
  submitted: '已提交', supplement_requested: '待补正', resubmitted: '已补正', accepted: '已受理',
  refused: '不予受理', under_review: '审查中', special_stage: '特别程序', approved: '准予许可',
  denied: '不予许可', fee_due: '待缴费', paid: '已缴费', result_issued: '已出证',
  delivering: '送达中', completed: '已办结', withdrawn: '已撤回',
}

export const COLOUR = {
  green: { label: '正常', type: 'success' },
  yellow: { label: '预警', type: 'warning' },
  red: { label: '超期', type: 'danger' },
}

export const ROLES = {
  clerk: '窗口受理', reviewer: '审核', approver: '批准', operator: '运营',
  supervisor: '电子监察', admin: '管理员',
}

export function statusType(status) {
  if (['refused', 'denied', 'withdrawn'].includes(status)) return 'info'
  if (['completed', 'approved', 'result_issued'].includes(status)) return 'success'
  if (['supplement_requested', 'fee_due'].includes(status)) return 'warning'
  return 'primary'
}
