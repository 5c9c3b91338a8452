import { createApp } from 'vue'
import { Locale } from 'vant'
import zhCN from 'vant/es/locale/lang/zh-CN'
// styles of the function-style components (the resolver covers only those used in templates)
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import './styles.css'
import App from './App.vue'
import router from './router.js'

// Vant's own words (确认, 取消, 加载中…) in Chinese, said here rather than left to its default
Locale.use('zh-CN', zhCN)

createApp(App).use(router).mount('#app')
