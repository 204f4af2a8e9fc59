/**
 * Text as search compares it: NFKC (so full-width, ligature and compatibility forms match their
 * plain letters), then case-folded. JavaScript has no full case folding; upper- then lower-casing
 * comes close (ß and ẞ fold to "ss", final ς to σ), and NFKC again tidies what that produced.
 */
export function searchKey(text: string): string {
  return text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}
