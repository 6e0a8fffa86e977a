import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { repoRoot } from '../../deploy/local/paths.ts'
import { findTestFiles, isUnit, needsOf, needsOfAll, TestNameError } from './files.ts'

test('tags between the name and .test.ts say what a file needs; none means a unit test', () => {
  assert.deepEqual([...needsOf('services/shared/test/codec.test.ts')], [])
  assert.deepEqual([...needsOf('test/ops/promtool.kafka.tools.test.ts')].sort(), ['kafka', 'tools'])
  assert.deepEqual([...needsOf('test/browser/pages.kafka.browser.test.ts')].sort(), ['browser', 'kafka'])
  assert.equal(isUnit('a/b/scraped-dateline.test.ts'), true)
  assert.equal(isUnit('a/b/outage.kafka.test.ts'), false)
  assert.deepEqual([...needsOfAll(['x.test.ts', 'y.browser.test.ts', 'z.kafka.browser.test.ts'])].sort(), ['browser', 'kafka'])
})

test('an unknown tag or a name without .test.ts is refused, not taken for a unit test', () => {
  assert.throws(() => needsOf('services/ingest/test/cli.integration.test.ts'), TestNameError)
  assert.throws(() => needsOf('test/ops/image.Kafka.test.ts'), /unknown tag '\.Kafka'/)
  assert.throws(() => needsOf('test/helpers.ts'), TestNameError)
})

// What a file does that needs a broker, a browser or a system tool, as it shows in its source
// (written so that none of them matches this file itself)
const markers = {
  kafka:
    /\b(startTestIngest|startTestFanout|spawnIngest|spawnFanout|startService|readTopic|readTopicFrom|startCluster|createKafka|leaseBroker)\(|new Kafka\(/,
  browser: /from 'playwright[-]core'/,
  tools: /\b(parseYamlFiles|parseYamlText|kustomizeCommand|composeCommand|dockerEngine)\(|run\('promtool'/,
} as const

test('every test file in the repository has a valid name, and the tags cover what its source does', () => {
  const files = findTestFiles(repoRoot, ['services', 'test'])
  assert.ok(files.length > 50, `found ${files.length} test files`)
  const wrong: string[] = []
  for (const f of files) {
    const needs = needsOf(f)
    const text = readFileSync(join(repoRoot, f), 'utf8')
    for (const [need, re] of Object.entries(markers)) {
      if (re.test(text) && !needs.has(need as keyof typeof markers)) wrong.push(`${f} matches ${re} but is not tagged .${need}`)
    }
  }
  assert.deepEqual(wrong, [])
})
