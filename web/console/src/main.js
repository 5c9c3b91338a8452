import { createApp } from 'vue'
import { ElButton, ElResult } from 'element-plus'
import 'element-plus/es/components/button/style/css'
import 'element-plus/es/components/result/style/css'
import App from './App.vue'

// The staff console (issue 14) grows here: pages speak only /api/v1/staff/… with the staff token.
createApp(App).use(ElButton).use(ElResult).mount('#app')
