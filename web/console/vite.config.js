import { defineConfig } from 'vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { common } from '../shared/vite-common.js'

// Element Plus components are imported where they are used (tree-shaken); its stylesheet is
// bundled once in main.js. ECharts is imported piece by piece in components/Chart.vue.
export default defineConfig(common({
  base: '/console/',
  plugins: [Components({ resolvers: [ElementPlusResolver({ importStyle: false })], dts: false })],
}))
