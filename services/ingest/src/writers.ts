// Which transactional writers ingest runs, and which ids each must fence before it decides.
//
// A writer may commit to a partition only while no other writer that could write the partition
// is valid. Kafka fences by transactional id, so every id that can write a partition, under any
// mode an instance may run, must be fenced by whoever acquires a writer covering it: its own id
// by opening it, every other one by opening and closing it. A writer opens its own id first and
// fences the others after, so of two writers acquiring at once at most one stays valid (each
// fences the other after its own open, or the later one fences the earlier). Instances in
// different modes therefore stay safe together; a release before this one fenced only its own
// per-partition id, so `single` must wait until every instance runs this release or a later one.
import { kafkaErrorType } from '@newswire/shared'

/** `partition`: one writer per partition (the ids releases before this one used). `single`: one writer for all. */
export const WRITER_MODES = ['partition', 'single'] as const
export type WriterMode = (typeof WRITER_MODES)[number]

export interface WriterPlan {
  /** The transactional id this writer commits under. */
  id: string
  /** The partitions it writes, in order. */
  partitions: readonly number[]
  /** The other ids that can write one of its partitions: fenced on every acquire. */
  fences: readonly string[]
}

const partitionId = (prefix: string, p: number) => `${prefix}-p${p}`
const singleId = (prefix: string) => `${prefix}-all`

export function writerPlans(mode: WriterMode, prefix: string, partitions: number): WriterPlan[] {
  const all = Array.from({ length: partitions }, (_, p) => p)
  if (mode === 'single') return [{ id: singleId(prefix), partitions: all, fences: all.map((p) => partitionId(prefix, p)) }]
  return all.map((p) => ({ id: partitionId(prefix, p), partitions: [p], fences: [singleId(prefix)] }))
}

/**
 * Fences `ids` (opening each with `open`, then closing it) and returns those the cluster does not
 * let this instance use (TRANSACTIONAL_ID_AUTHORIZATION_FAILED). Skipping those is safe because
 * ingest's ACL names its principal, not its mode: an id we may not use, no instance of ours can
 * write under (deploy/README.md asks for both modes' ids, or neither, for every ingest principal).
 */
export async function fenceAll(open: (id: string) => Promise<{ close(): Promise<void> }>, ids: readonly string[]): Promise<string[]> {
  const denied: string[] = []
  await Promise.all(
    ids.map(async (id) => {
      try {
        await (await open(id)).close()
      } catch (err) {
        if (kafkaErrorType(err) !== 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED') throw err
        denied.push(id)
      }
    }),
  )
  return denied
}
