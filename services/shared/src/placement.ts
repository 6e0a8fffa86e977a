// Where ingest writes a key: its story's partition (an article id is its own story), murmur2 over
// the partition count in force (partitionOf). Kafka can add partitions to a topic, never take them
// away, and once added most keys' home moves: an article's next event (its kill) would land on
// another partition than its earlier ones, where per-article order, the kill's place after what it
// kills, and every reader's resume position no longer hold (red23b attack run). A record of
// news.articles read away from its key's home under today's count says so.
import { storyOfStateKey } from './article.ts'
import { NewswireError } from './errors.ts'
import { partitionOf } from './kafka.ts'

/** The partition ingest writes `key` (an article id, or an entry's state key) to. */
export const homeOf = (key: string, partitions: number): number => partitionOf(storyOfStateKey(key), partitions)

export interface Misplaced {
  key: string
  partition: number
  home: number
}

/**
 * Counts the records of news.articles that sit away from their key's home. Tombstones are not
 * noted: an operator may write one by hand on another partition (deploy/README.md, "How to erase").
 */
export class PlacementCheck {
  readonly examples: Misplaced[] = []
  readonly partitions: number
  #misplaced = 0
  constructor(partitions: number) {
    this.partitions = partitions
  }

  note(key: string, partition: number): void {
    const home = homeOf(key, this.partitions)
    if (home === partition) return
    this.#misplaced++
    if (this.examples.length < 3) this.examples.push({ key, partition, home })
  }

  get misplaced(): number {
    return this.#misplaced
  }

  /** The refusal to decide anything on these topics, or null when every record is at home. */
  problem(topic: string): NewswireError | null {
    if (this.#misplaced === 0) return null
    return new NewswireError(
      'NEWSWIRE_ERR_TOPICS_REPARTITIONED',
      `${topic} holds ${this.#misplaced} record(s) on another partition than their key's under its ${this.partitions} partitions ` +
        `(${this.examples.map((m) => `${m.key} on ${m.partition}, home ${m.home}`).join('; ')}): partitions were added to the topics ` +
        "after those records were written (or a writer that is not ingest placed them), and an article's next event would land " +
        'away from its earlier ones, its kill unheard by readers positioned there. Refusing to start: create new topics with the ' +
        'partitions you need and replay into them (deploy/README.md, "Partitions")',
      { details: { topic, partitions: this.partitions, misplaced: this.#misplaced, examples: this.examples } },
    )
  }
}
