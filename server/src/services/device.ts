import UAParser from 'ua-parser-js';

/** A readable device from a user agent ("Chrome 126, Windows 10, mobile"), for evidence. */
export function deviceOf(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  const r = new UAParser(ua).getResult();
  const parts = [
    r.browser.name && `${r.browser.name} ${r.browser.major ?? ''}`.trim(),
    r.os.name && `${r.os.name} ${r.os.version ?? ''}`.trim(),
    r.device.type,
  ]
    .filter(Boolean)
    .join(', ');
  return parts || undefined;
}
