// Credentials anyone can read: the development ones and the placeholders this repository ships
// (deploy/k8s/examples/secret.example.yaml, the commands in the READMEs and compose.yml). Applied
// or pasted as they are, they were accepted in production: a newsroom token signed with the
// example Secret's key read every embargoed story (red22a attack run). Production refuses them.

/** The patterns of a placeholder: `<…>` as the commands write them, REPLACE-WITH… as the example Secret does, changeme. */
const placeholder = [/^<.*>$/s, /replace[-_ ]?(with|me)/i, /change[-_ ]?me/i]

/**
 * Why `value` is no secret (a published development value or a placeholder), or null. The
 * answer never repeats the value: a real secret that matched by chance stays out of the logs.
 */
export function publishedSecret(value: string, developmentValues: readonly string[]): string | null {
  if (developmentValues.includes(value)) return 'is a development value this repository publishes'
  if (placeholder.some((p) => p.test(value)))
    return 'is a placeholder from an example (`<…>`, REPLACE-WITH…, changeme): put a random secret there'
  return null
}
