import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { VitePWA } from 'vite-plugin-pwa';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/** Build id: package version + git commit (or SAHA_BUILD_ID). Goes into the SW cache names. */
function buildId(): string {
  if (process.env.SAHA_BUILD_ID) return process.env.SAHA_BUILD_ID;
  try {
    const rev = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return `${pkg.version}-${rev}`;
  } catch {
    return pkg.version;
  }
}

const BUILD_ID = buildId();
const BACKEND = process.env.SAHA_BACKEND_URL ?? 'http://127.0.0.1:8000';
const THEME = '#0d4f6c';

export default defineConfig({
  define: {
    __APP_VERSION__: JSON.stringify(BUILD_ID),
  },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/graphql': BACKEND,
      '/healthz': BACKEND,
      '/uploads': BACKEND,
      '/blobs': BACKEND,
      '/api': BACKEND,
    },
  },
  plugins: [
    VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icons/icon.svg', 'icons/apple-touch-icon.png', 'favicon.svg'],
      manifest: {
        id: '/',
        name: 'Saha',
        short_name: 'Saha',
        description: 'Görüntülü İzleme Sistemleri Birimi saha uygulaması: iş emirleri, yerler ve cihazlar, çevrimdışı çalışır.',
        lang: 'tr',
        dir: 'ltr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: THEME,
        categories: ['productivity', 'utilities'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-192.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        cacheId: `saha-${BUILD_ID}`,
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        // wasm: the QR scanner's ZXing reader (ui/qr-scanner.tsx), so scanning works offline.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        // The largest precached file is that wasm (~1.1 MB); stated so a lower limit never drops it.
        maximumFileSizeToCacheInBytes: 2 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/graphql/, /^\/healthz/, /^\/uploads\//, /^\/blobs\//, /^\/api\//],
        // GraphQL, /uploads/ (tus), /blobs/ and /api/ (minutes PDF, verification) are never
        // cached: no runtimeCaching at all.
        runtimeCaching: [],
      },
    }),
  ],
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
});
