/**
 * The issuer's primary colour fills the main button and draws links and the focus ring, always
 * with white text on it. WCAG 2.1 AA asks 4.5:1 for normal text, so a paler colour is refused.
 */
const MIN_CONTRAST_WITH_WHITE = 4.5;

export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/** WCAG relative luminance of a #rrggbb colour. */
function relativeLuminance(hex: string): number {
  const channel = (offset: number) => {
    const c = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG contrast ratio between two #rrggbb colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Null when white text on `hex` is readable, else a sentence saying why not. */
export function primaryColourProblem(hex: string): string | null {
  const ratio = contrastRatio(hex, '#ffffff');
  if (ratio >= MIN_CONTRAST_WITH_WHITE) return null;
  return `white text on ${hex} has a contrast of ${ratio.toFixed(2)}:1, below the ${MIN_CONTRAST_WITH_WHITE}:1 that WCAG 2.1 AA requires; choose a darker colour`;
}
