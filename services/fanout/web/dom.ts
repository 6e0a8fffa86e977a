// A tiny element builder: text goes in as text nodes (never HTML), so feed content cannot inject markup.
type Child = Node | string | null | undefined | false

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v)
  for (const c of children) if (c) el.append(c)
  return el
}

/**
 * Makes `parent`'s children exactly `wanted`, in order, moving only what is out of place: nodes
 * that stay are not re-inserted, so an aria-live list announces only what is really new.
 */
export function reconcile(parent: Element, wanted: readonly Element[]): void {
  const keep = new Set(wanted)
  for (const c of [...parent.children]) if (!keep.has(c)) c.remove()
  let at = parent.firstElementChild
  for (const el of wanted) {
    if (el === at) at = at.nextElementSibling
    else parent.insertBefore(el, at)
  }
}

/**
 * Marks `el` as mounted by an embed of this page (false when one had): a mark on the element, in
 * every copy of the script, never an attribute. A page saved as the browser drew it (a site's
 * prerenderer) carried the attribute into pages where no embed ran, so a story killed since read on
 * with no word (red24c attack run, 2026-12-07). `false` takes the mark off.
 */
const MOUNTED = Symbol.for('newswire.mounted')
export function claim(el: HTMLElement, on = true): boolean {
  const marks = el as unknown as Record<symbol, boolean>
  const had = marks[MOUNTED] === true
  marks[MOUNTED] = on
  return !had
}

/**
 * Mounts every `selector` element once the document is parsed. `base` is the folder the embed's
 * script was loaded from (`script` names it for hosts that load it late), so it finds its stream.
 */
export function mountEmbeds(script: string, selector: string, mount: (el: HTMLElement, base: string) => void): void {
  const current = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null
  const src = current?.src ?? document.querySelector<HTMLScriptElement>(`script[src*="${script}"]`)?.src ?? location.href
  const base = new URL('./', src).href
  const mountAll = () => {
    for (const el of document.querySelectorAll<HTMLElement>(selector)) mount(el, base)
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll, { once: true })
  else mountAll()
}
