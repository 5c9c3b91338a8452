import { createApp } from 'vue'
// styles of the function-style components (the resolver covers only those used in templates)
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import './styles.css'
import App from './App.vue'
import router from './router.js'

createApp(App).use(router).mount('#app')
