import { defineConfig } from 'vite'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'
import { common } from '../shared/vite-common.js'

// Vant components are imported where they are used (tree-shaken, with their CSS)
export default defineConfig(common({
  base: '/h5/',
  plugins: [Components({ resolvers: [VantResolver()], dts: false })],
}))
