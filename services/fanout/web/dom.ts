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
