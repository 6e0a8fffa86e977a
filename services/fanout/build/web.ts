// Writes the page scripts (web/*.ts bundled by esbuild) to services/fanout/dist/web for images
// without esbuild at run time (Dockerfile build stage):
// `node --conditions=development --import tsx services/fanout/build/web.ts`.
import { writeWebAssets } from './bundle.ts'

writeWebAssets().then(
  (files) => console.log(`newswire: wrote ${files.join(', ')}`),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  },
)
