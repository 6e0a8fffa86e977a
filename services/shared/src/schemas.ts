// Loads the versioned ArticleEvent schemas (schemas/article-event.v<N>.avsc)
// and computes what the wire format needs from each: the Parsing Canonical
// Form and its CRC-64-AVRO fingerprint.

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import avsc from 'avsc'
import type { Schema, Type } from 'avsc'
import { crc64Avro } from './crc64.ts'
import { NewswireError } from './errors.ts'

/** Schema files are named article-event.v<N>.avsc, N = 1, 2, ... (no leading zeros). */
export const SCHEMA_FILE_PATTERN = /^article-event\.v([1-9][0-9]*)\.avsc$/

export interface SchemaVersion {
  readonly version: number
  readonly fileName: string
  readonly path: string
  /** avsc type parsed from the file (logical types stay plain: timestamps are numbers). */
  readonly type: Type
  /** Parsing Canonical Form: the exact text the fingerprint is computed over. */
  readonly canonical: string
  /** CRC-64-AVRO of `canonical`, 8 bytes little-endian, as written after C3 01. */
  readonly fingerprint: Buffer
  /** `fingerprint` as lowercase hex (16 chars), the form used in headers and logs. */
  readonly fingerprintHex: string
}

export interface SchemaSet {
  readonly dir: string
  /** Every version found, ascending. */
  readonly versions: readonly SchemaVersion[]
  /** Highest version: what producers write and what `decode` resolves into. */
  readonly current: SchemaVersion
  byVersion(version: number): SchemaVersion | undefined
  /** Accepts the 8 raw bytes or their hex. */
  byFingerprint(fingerprint: Uint8Array | string): SchemaVersion | undefined
}

/** The repo's top-level schemas/ folder (this file is services/shared/src/schemas.ts, or dist/ after a build). */
export function defaultSchemasDir(): string {
  return fileURLToPath(new URL('../../../schemas', import.meta.url))
}

/** Parsing Canonical Form as avsc produces it (checked against the spec's vectors in crc64.test.ts). */
export function canonicalForm(type: Type): string {
  return JSON.stringify(type.schema())
}

function configError(message: string, details: Record<string, unknown>, cause?: unknown): NewswireError {
  return new NewswireError('NEWSWIRE_ERR_CONFIG', message, { details, cause })
}

function loadVersion(dir: string, fileName: string, version: number): SchemaVersion {
  const file = path.join(dir, fileName)
  let type: Type
  try {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Schema
    // 'never': ["null", X] unions stay plain values, as the TS types say; a
    // future union avsc cannot keep unwrapped fails here, not in consumers
    type = avsc.Type.forSchema(schema, { wrapUnions: 'never' })
  } catch (err) {
    throw configError(`cannot load Avro schema ${file}: ${(err as Error).message}`, { file }, err)
  }
  const canonical = canonicalForm(type)
  const fingerprint = crc64Avro(canonical)
  return { version, fileName, path: file, type, canonical, fingerprint, fingerprintHex: fingerprint.toString('hex') }
}

/** Reads every article-event.v<N>.avsc in `dir` (synchronously: it runs once at startup). */
export function loadSchemas(dir: string = defaultSchemasDir()): SchemaSet {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (err) {
    throw configError(`cannot read schema folder ${dir}`, { dir }, err)
  }
  const found: { fileName: string; version: number }[] = []
  for (const fileName of names) {
    const match = SCHEMA_FILE_PATTERN.exec(fileName)
    if (match) found.push({ fileName, version: Number(match[1]) })
  }
  found.sort((a, b) => a.version - b.version)
  const versions = found.map((f) => loadVersion(dir, f.fileName, f.version))
  const current = versions.at(-1)
  if (current === undefined) {
    throw configError(`no article-event.v<N>.avsc schema in ${dir}`, { dir })
  }

  const byVersion = new Map(versions.map((v) => [v.version, v]))
  // Two versions can share a fingerprint (a doc-only change): the bytes they
  // describe are identical, so the later one wins
  const byFingerprint = new Map(versions.map((v) => [v.fingerprintHex, v]))
  return {
    dir,
    versions,
    current,
    byVersion: (version) => byVersion.get(version),
    byFingerprint: (fp) => byFingerprint.get(typeof fp === 'string' ? fp.toLowerCase() : Buffer.from(fp).toString('hex')),
  }
}
