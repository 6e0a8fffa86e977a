// A POST to ingest under an API key and, if given, an Idempotency-Key, read as its status and the
// fields the key-life tests compare (red22c, red23a); and the two keys they rotate between.
export const LEAKED = 'Old8Lm2Qx7Tv4Wp9Ys3Nd6Hf1Jb5Gc0EaK'
export const NEW = 'New3Rs8Tu2Vw7Xy1Za6Bc4De9Fg0Hi5JkL'

export interface Answer {
  status: number
  code?: string
  eventId?: string
  type?: string
}

export async function post(url: string, key: string, path: string, body: object, idempotencyKey?: string): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as Omit<Answer, 'status'>
  return { status: res.status, code: json.code, eventId: json.eventId, type: json.type }
}
