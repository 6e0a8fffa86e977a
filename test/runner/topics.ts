// Each run creates about a hundred topics; left behind on a long-lived broker they pile up
// until it takes a minute to start. Only this run's prefix is touched: another run may share
// the cluster.
import { Kafka, logLevel } from '@newswire/shared'

export async function deleteTestTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'newswire-test-cleanup', brokers, logLevel: logLevel.NOTHING }).admin()
  try {
    await admin.connect()
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix))
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 })
    console.log(`newswire test: deleted this run's ${topics.length} test topics`)
  } catch (err) {
    console.warn(`newswire test: could not delete this run's test topics (${prefix}*): ${err instanceof Error ? err.message : err}`)
  } finally {
    await admin.disconnect().catch(() => {})
  }
}
