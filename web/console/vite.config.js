import { defineConfig } from 'vite'
import { common } from '../shared/vite-common.js'

// Issue 14 adds Element Plus's resolver here as the console grows (unplugin-vue-components
// ships ElementPlusResolver); the placeholder imports the few components it uses.
export default defineConfig(common({ base: '/console/' }))
