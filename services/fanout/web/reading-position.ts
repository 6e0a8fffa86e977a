// Keeping the reader's place while the page changes above it. A change above what the reader is
// reading (an entry inserted, edited, removed) would push the text down or pull it up. Browsers
// with CSS scroll anchoring (overflow-anchor) do it themselves, and also during a scroll
// animation, and do not count it as a layout shift (a host page's CLS stays clean): the embed
// relies on them. Elsewhere (Safari) it is done by hand: measure the element being read before,
// change, measure after, and scroll by the difference in the same task, so nothing moves on
// screen. `anchoring()` says which; a container with data-anchoring="manual" asks for the hand
// method (tests, or a page that turned anchoring off).

export type Anchoring = 'native' | 'manual'

export function anchoring(host: HTMLElement): Anchoring {
  const native = typeof CSS !== 'undefined' && CSS.supports?.('overflow-anchor', 'auto')
  return host.dataset.anchoring === 'manual' || !native ? 'manual' : 'native'
}

/** The box the reader sees the page through: the nearest scrolling ancestor (across shadow roots), else the window. */
export interface Viewport {
  scroller: Element
  top: number
  bottom: number
}

function parentOf(el: Element): Element | null {
  if (el.parentElement) return el.parentElement
  const root = el.getRootNode()
  return root instanceof ShadowRoot ? root.host : null
}

export function viewportOf(el: Element): Viewport {
  const doc = document.scrollingElement ?? document.documentElement
  for (let p = parentOf(el); p && p !== doc && p !== document.body; p = parentOf(p)) {
    const oy = getComputedStyle(p).overflowY
    if ((oy === 'auto' || oy === 'scroll') && p.scrollHeight > p.clientHeight) {
      const r = p.getBoundingClientRect()
      return { scroller: p, top: Math.max(0, r.top), bottom: Math.min(innerHeight, r.bottom) }
    }
  }
  return { scroller: doc, top: 0, bottom: innerHeight }
}

/** The first of `candidates` (in document order) still showing at the viewport's top, leaving out `skip`. */
export function readingElement(candidates: Iterable<Element>, vp: Viewport, skip?: Element | null): Element | null {
  for (const el of candidates) {
    if (el === skip || !el.isConnected) continue
    const r = el.getBoundingClientRect()
    if (r.height === 0 && r.width === 0) continue // not rendered (hidden)
    if (r.bottom > vp.top && r.top < vp.bottom) return el
  }
  return null
}

/**
 * Runs `change`, then scrolls so `anchor` is where it was on screen. Returns how far it scrolled.
 * Without an anchor (nothing of ours on screen) it only runs `change`.
 */
export function keepInPlace(anchor: Element | null, vp: Viewport, change: () => void): number {
  if (!anchor) {
    change()
    return 0
  }
  const before = anchor.getBoundingClientRect().top
  change()
  if (!anchor.isConnected) return 0
  const delta = anchor.getBoundingClientRect().top - before
  if (Math.abs(delta) >= 0.5) vp.scroller.scrollTop += delta
  return delta
}
