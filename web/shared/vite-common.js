// What both front ends build with: Vue SFCs, a base under the backend's mount point, hashed
// assets for the long cache, and a check that nothing in the output reaches outside the site.
import vue from '@vitejs/plugin-vue'

// Vant's icon CSS names a woff fallback on a CDN after its inlined woff2; no browser we
// serve needs it, and nothing may be fetched from outside at run time.
const CDN_FALLBACK = /,url\(\/\/at\.alicdn\.com\/[^)]*\) format\("woff"\)/g

export function noCdn() {
  return {
    name: 'zsb-no-cdn',
    transform(code, id) {
      if (id.endsWith('.css') && code.includes('at.alicdn.com')) return { code: code.replace(CDN_FALLBACK, ''), map: null }
      return null
    },
  }
}

export function common({ base, plugins = [] }) {
  return {
    base,
    // WeChat's open tags (wx-open-subscribe …) are the WeChat client's, not Vue components
    plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('wx-') } } }), ...plugins, noCdn()],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      assetsDir: 'assets',
      target: 'es2019', // the WeChat in-app browser on older phones
      chunkSizeWarningLimit: 800,
      reportCompressedSize: false,
    },
    server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
  }
}
