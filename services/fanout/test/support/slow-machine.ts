// A slow machine for the hub in-process: while `slow.on`, every read of performance.now is 30 ms
// after the last, so each pass of the hub breathes after every record it matches (writes what is
// queued, readers join broadcast groups mid-pass), as on a loaded server. Tests mock
// performance.now with `lagged` and time themselves with `realNow`.
export const slow = { on: false, skew: 0 }

export const realNow = performance.now.bind(performance)

export function lagged(): number {
  if (slow.on) slow.skew += 30
  return realNow() + slow.skew
}
