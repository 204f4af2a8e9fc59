/**
 * Text as search compares it: NFKC (so full-width, ligature and compatibility forms match their
 * plain letters), then case-folded. JavaScript has no full case folding; upper- then lower-casing
 * comes close (ß folds to "ss"), but lower-casing writes a word-final Σ as ς, so a query ending
 * mid-word ("Οδυσσ") would miss the stored name, and ẞ comes back as ß: both are folded as
 * Unicode's CaseFolding.txt does (ς → σ, ß → ss). NFKC again tidies what that produced.
 */
export function searchKey(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .replaceAll('ς', 'σ')
    .replaceAll('ß', 'ss')
    .normalize('NFKC');
}
