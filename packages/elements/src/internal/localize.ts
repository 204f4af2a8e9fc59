/**
 * A tiny localization layer: every user-visible string goes through `t()`. Hosts add or
 * override strings per locale with `registerTranslation('de', {...})`; missing keys fall back
 * to the base language, then English.
 */
export type Strings = Record<string, string>;

const translations = new Map<string, Strings>();

export function registerTranslation(locale: string, strings: Strings): void {
  const key = locale.toLowerCase();
  translations.set(key, { ...translations.get(key), ...strings });
}

/** The locale an element uses: its own, its provider's, the document's, then English. */
export function resolveLocale(...candidates: Array<string | undefined | null>): string {
  for (const candidate of candidates) if (candidate) return candidate;
  return (typeof document !== 'undefined' && document.documentElement.lang) || 'en';
}

/** Looks `key` up for `locale`, filling `{name}` placeholders from `vars`. */
export function translate(locale: string, key: string, vars?: Record<string, string | number>): string {
  const lower = locale.toLowerCase();
  const text =
    translations.get(lower)?.[key] ??
    translations.get(lower.split('-')[0]!)?.[key] ??
    translations.get('en')?.[key] ??
    key;
  return vars ? text.replace(/\{(\w+)\}/g, (match, name: string) => String(vars[name] ?? match)) : text;
}
