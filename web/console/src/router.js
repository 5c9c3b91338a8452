import { createRouter, createWebHistory } from 'vue-router'
import { has, signedIn } from './api.js'

// meta.roles: who sees the page in the menu and may open it (the API decides what they may do)
const READ = ['clerk', 'reviewer', 'approver']
export const routes = [
  { path: '/login', name: 'login', component: () => import('./pages/Login.vue'), meta: { public: true } },
  { path: '/', name: 'queue', component: () => import('./pages/Queue.vue'), meta: { title: '办件队列', roles: READ } },
  { path: '/cases/:id(\\d+)', name: 'case', component: () => import('./pages/CaseView.vue'), meta: { roles: READ } },
  { path: '/alerts', name: 'alerts', component: () => import('./pages/Alerts.vue'), meta: { title: '预警提醒', roles: [] } },
  { path: '/shipments', name: 'shipments', component: () => import('./pages/Shipments.vue'), meta: { title: '寄递', roles: ['clerk'] } },
  { path: '/payments', name: 'payments', component: () => import('./pages/Payments.vue'), meta: { title: '收费退费', roles: ['reviewer', 'operator'] } },
  { path: '/campaigns', name: 'campaigns', component: () => import('./pages/Campaigns.vue'), meta: { title: '消息推送', roles: ['operator'] } },
  { path: '/campaigns/:id(\\d+)', name: 'campaign', component: () => import('./pages/CampaignView.vue'), meta: { roles: ['operator'] } },
  { path: '/certificates', name: 'certificates', component: () => import('./pages/Certificates.vue'), meta: { title: '电子证明', roles: ['clerk', 'reviewer'] } },
  { path: '/feedback', name: 'feedback', component: () => import('./pages/Feedback.vue'), meta: { title: '好差评', roles: ['clerk', 'reviewer', 'supervisor'] } },
  { path: '/tickets', name: 'tickets', component: () => import('./pages/Tickets.vue'), meta: { title: '12345 工单', roles: ['clerk', 'reviewer', 'dispatcher'] } },
  { path: '/post-checks', name: 'post-checks', component: () => import('./pages/PostChecks.vue'), meta: { title: '承诺核查', roles: ['reviewer', 'approver'] } },
  { path: '/appointments', name: 'appointments', component: () => import('./pages/Appointments.vue'), meta: { title: '预约到厅', roles: ['clerk', 'operator'] } },
  { path: '/supervision', name: 'supervision', component: () => import('./pages/Supervision.vue'), meta: { title: '电子监察', roles: ['supervisor', 'reviewer', 'approver'] } },
  { path: '/admin', name: 'admin', component: () => import('./pages/Admin.vue'), meta: { title: '系统管理', roles: ['admin'] } },
  { path: '/:rest(.*)*', name: 'missing', component: () => import('./pages/NotFound.vue'), meta: { public: true } },
]

export function allowed(route) {
  const roles = route.meta?.roles
  return !roles || roles.length === 0 || has(...roles)
}

export const router = createRouter({ history: createWebHistory('/console/'), routes })

router.beforeEach((to) => {
  if (to.meta.public) return true
  if (!signedIn()) return { name: 'login', query: { next: to.fullPath } }
  if (!allowed(to)) return { name: firstPage() }
  return true
})

export function firstPage() {
  const page = routes.find((r) => r.meta?.title && allowed(r))
  return page ? page.name : 'alerts'
}
