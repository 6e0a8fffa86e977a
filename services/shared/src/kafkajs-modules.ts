// kafkajs's internal modules, which its package exports do not list, and the one way this
// project replaces one: a module kafkajs `require`s once, when it loads, is put in Node's
// module cache first, so kafkajs's `require` finds ours. kafka.ts imports the replacing modules
// before kafkajs; if kafkajs was loaded earlier, the replacement is simply not used (each module
// exports a check saying whether it is).
import { Module, createRequire } from 'node:module'

/** `require` for kafkajs's internal files. */
export const kafkajsInternal = createRequire(import.meta.url)

/** Puts `exports` in the module cache as kafkajs's file `request` (unless that file is loaded already); returns its path. */
export function replaceKafkajsModule(request: string, exports: unknown): string {
  const path = kafkajsInternal.resolve(request)
  if (kafkajsInternal.cache[path] === undefined) {
    const m = new Module(path)
    m.filename = path
    m.loaded = true
    m.exports = exports
    kafkajsInternal.cache[path] = m
  }
  return path
}
