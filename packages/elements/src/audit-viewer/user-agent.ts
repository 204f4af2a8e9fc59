/** A person-readable summary of a User-Agent header: browser and major version, and OS. */
export interface DeviceSummary {
  browser?: string;
  os?: string;
}

// Order matters: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\bHeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+(?:\.\d+)?).*\bSafari\//, 'Safari'],
  [/^curl\/(\d+(?:\.\d+)?)/i, 'curl'],
  [/^(?:node|undici)\b(?:\/(\d+))?/i, 'Node.js'],
  [/^python-requests\/(\d+(?:\.\d+)?)/i, 'Python requests'],
  [/^PostmanRuntime\/(\d+(?:\.\d+)?)/, 'Postman'],
];

const WINDOWS: Record<string, string> = {
  '10.0': 'Windows',
  '6.3': 'Windows 8.1',
  '6.2': 'Windows 8',
  '6.1': 'Windows 7',
};

function detectOs(ua: string): string | undefined {
  let m: RegExpMatchArray | null;
  if ((m = ua.match(/Windows NT (\d+\.\d+)/))) return WINDOWS[m[1]!] ?? 'Windows';
  if ((m = ua.match(/\biPad\b.*?\bOS (\d+)(?:_(\d+))?/))) return `iPadOS ${m[1]}${m[2] ? `.${m[2]}` : ''}`;
  if ((m = ua.match(/\b(?:iPhone|iPod)\b.*?\bOS (\d+)(?:_(\d+))?/))) return `iOS ${m[1]}${m[2] ? `.${m[2]}` : ''}`;
  if ((m = ua.match(/\bAndroid (\d+(?:\.\d+)?)/))) return `Android ${m[1]}`;
  if (/\bCrOS\b/.test(ua)) return 'ChromeOS';
  // Browsers froze the macOS version at 10_15_7, so a number here would mislead.
  if (/\bMac OS X\b|\bMacintosh\b/.test(ua)) return 'macOS';
  if (/\bLinux\b/.test(ua)) return 'Linux';
  return undefined;
}

export function summarizeUserAgent(ua: string | undefined): DeviceSummary {
  if (!ua) return {};
  const summary: DeviceSummary = {};
  for (const [pattern, name] of BROWSERS) {
    const m = ua.match(pattern);
    if (m) {
      summary.browser = m[1] ? `${name} ${m[1]}` : name;
      break;
    }
  }
  const os = detectOs(ua);
  if (os) summary.os = os;
  return summary;
}
