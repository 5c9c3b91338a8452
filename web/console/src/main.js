import { createApp } from 'vue'
import { ElLoading } from 'element-plus'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router.js'

// The staff console: every page speaks /api/v1/staff/… with the staff token (src/api.js).
// Element Plus components are imported where they are used (vite.config.js); its stylesheet
// and the loading directive here, its Chinese locale in App.vue.
createApp(App).use(ElLoading).use(router).mount('#app')
