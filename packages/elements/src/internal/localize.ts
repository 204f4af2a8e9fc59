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

function lookup(locale: string, key: string): string | undefined {
  const lower = locale.toLowerCase();
  return (
    translations.get(lower)?.[key] ?? translations.get(lower.split('-')[0]!)?.[key] ?? translations.get('en')?.[key]
  );
}

function fill(text: string, vars?: Record<string, string | number>): string {
  return vars ? text.replace(/\{(\w+)\}/g, (match, name: string) => String(vars[name] ?? match)) : text;
}

/** Looks `key` up for `locale`, filling `{name}` placeholders from `vars`. */
export function translate(locale: string, key: string, vars?: Record<string, string | number>): string {
  return fill(lookup(locale, key) ?? key, vars);
}

const pluralRules = new Map<string, Intl.PluralRules>();

/**
 * A count string: looks up `key.<plural category>` (`key.one`, `key.few`, … as Intl.PluralRules
 * names them for `locale`), then `key.other`, and fills `{count}` with the count formatted for
 * the locale, so "1 field" and "2 fields" (and Polish's three forms) are each right.
 */
export function translatePlural(
  locale: string,
  key: string,
  count: number,
  vars?: Record<string, string | number>,
): string {
  let rules = pluralRules.get(locale);
  if (!rules) {
    try {
      rules = new Intl.PluralRules(locale);
    } catch {
      rules = new Intl.PluralRules('en');
    }
    pluralRules.set(locale, rules);
  }
  const text = lookup(locale, `${key}.${rules.select(count)}`) ?? lookup(locale, `${key}.other`) ?? key;
  return fill(text, { ...vars, count: count.toLocaleString(rules.resolvedOptions().locale) });
}
