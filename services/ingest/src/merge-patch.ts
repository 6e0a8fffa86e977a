// JSON Merge Patch (RFC 7396): members of the patch replace those of the target, `null` removes
// a member, objects merge recursively, anything else (arrays included) replaces as a whole.
// Members are defined, not assigned, so a `__proto__` key in a patch is a plain (unknown) field
// and never reaches a prototype.

type JsonObject = Record<string, unknown>

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function put(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** The result of applying `patch` to `target`; neither is changed. Callers bound the depth first. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const result: JsonObject = {}
  if (isObject(target)) for (const [k, v] of Object.entries(target)) put(result, k, v)
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k]
    else put(result, k, applyMergePatch(Object.hasOwn(result, k) ? result[k] : undefined, v))
  }
  return result
}
