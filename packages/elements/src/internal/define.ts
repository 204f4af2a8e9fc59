const warned = new Set<string>();

/**
 * Registers `tag` once. Two bundles of Countersign on one page must not crash it: a tag
 * already held by the same class is skipped, one held by another class (another version)
 * keeps the first registration and warns once.
 */
export function define(tag: string, element: CustomElementConstructor): void {
  const existing = customElements.get(tag);
  if (!existing) {
    customElements.define(tag, element);
    return;
  }
  if (existing !== element && !warned.has(tag)) {
    warned.add(tag);
    console.warn(`<${tag}> is already defined by another copy of Countersign; keeping the first one.`);
  }
}
