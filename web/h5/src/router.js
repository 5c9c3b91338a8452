// Every page of the H5. Links that the backend sends (push templates, the WeChat dialogue,
// the menu) are paths relative to /h5 and must each land on one of these.
import { createRouter, createWebHistory } from 'vue-router'
import { signedIn } from './api.js'

const page = (name) => () => import(`./pages/${name}.vue`)
const soon = (title) => ({ component: page('Soon'), meta: { title, auth: true } })

const routes = [
  { path: '/', component: page('Home'), meta: { title: '掌上办', tab: true } },
  { path: '/search', component: page('Search'), meta: { title: '搜索事项' } },
  { path: '/themes', component: page('Themes'), meta: { title: '主题服务' } },
  { path: '/guide', component: page('GuideList'), meta: { title: '办事指南' } },
  { path: '/guide/:code', component: page('Guide'), meta: { title: '办事指南' } },
  { path: '/login', component: page('Login'), meta: { title: '登录' } },
  { path: '/wechat/bind', component: page('WechatBind'), meta: { title: '绑定账号' } },
  { path: '/wechat/callback', component: page('WechatCallback'), meta: { title: '微信登录' } },
  { path: '/wechat/subscribe', component: page('Subscribe'), meta: { title: '消息订阅', auth: true } },
  { path: '/realname', component: page('RealName'), meta: { title: '实名认证', auth: true } },
  { path: '/realname/face/done', component: page('FaceDone'), meta: { title: '人脸核验', auth: true } },
  { path: '/apply/:code', component: page('Apply'), meta: { title: '在线申请', auth: true } },
  { path: '/cases', component: page('CaseList'), meta: { title: '我的办件', tab: true, auth: true } },
  { path: '/cases/:id', component: page('CaseDetail'), meta: { title: '办件详情', auth: true } },
  { path: '/cases/:id/edit', component: page('Apply'), meta: { title: '在线申请', auth: true } },
  { path: '/cases/:id/supplement', component: page('Supplement'), meta: { title: '补正材料', auth: true } },
  { path: '/cases/:id/pay', component: page('Pay'), meta: { title: '缴费', auth: true } },
  { path: '/cases/:id/rate', component: page('Rate'), meta: { title: '评价办件', auth: true, kind: 'case' } },
  { path: '/shipments', component: page('Shipments'), meta: { title: '我的邮件', auth: true } },
  { path: '/messages', component: page('Messages'), meta: { title: '消息', tab: true, auth: true } },
  { path: '/me', component: page('Me'), meta: { title: '我的', tab: true } },
  { path: '/me/notifications', component: page('Preferences'), meta: { title: '消息设置', auth: true } },
  { path: '/me/channels', component: page('Channels'), meta: { title: '绑定的账号', auth: true } },
  { path: '/me/sessions', component: page('Sessions'), meta: { title: '登录设备', auth: true } },
  { path: '/me/deletion', component: page('Deletion'), meta: { title: '注销账号', auth: true } },
  // 电子证照 wallet (issue 12): our certificates by id, the licence library's by wallet id
  { path: '/certificates', component: page('Wallet'), meta: { title: '我的证照', auth: true } },
  { path: '/certificates/:id', component: page('CertificateDetail'), meta: { title: '证照详情', auth: true } },
  { path: '/licences', component: page('Wallet'), meta: { title: '我的证照', auth: true } },
  { path: '/licences/:id', component: page('LicenceDetail'), meta: { title: '证照详情', auth: true } },
  // 好差评 and 12345 (issue 13)
  { path: '/tickets', component: page('TicketList'), meta: { title: '咨询投诉', auth: true } },
  { path: '/tickets/new', component: page('TicketNew'), meta: { title: '我要咨询投诉', auth: true } },
  { path: '/tickets/:id', component: page('TicketDetail'), meta: { title: '咨询投诉详情', auth: true } },
  { path: '/tickets/:id/rate', component: page('Rate'), meta: { title: '评价答复', auth: true, kind: 'ticket' } },
  { path: '/me/ratings', component: page('MyRatings'), meta: { title: '我的评价', auth: true } },
  { path: '/me/orders', component: page('MyOrders'), meta: { title: '我的订单', auth: true } },
  // 预约 (issue 15): hall appointments of items that need a visit
  { path: '/appointments', component: page('Appointments'), meta: { title: '我的预约', auth: true } },
  { path: '/appointments/book/:code', component: page('Book'), meta: { title: '预约到厅', auth: true } },
  { path: '/:rest(.*)*', component: page('NotFound'), meta: { title: '页面不存在' } },
]

const router = createRouter({
  history: createWebHistory('/h5/'),
  routes,
  scrollBehavior: (to, from, saved) => saved || { top: 0 },
})

router.beforeEach((to) => {
  if (to.meta.auth && !signedIn()) return { path: '/login', query: { next: to.fullPath } }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title === '掌上办' ? '掌上办' : `${to.meta.title} · 掌上办`
})

export default router
