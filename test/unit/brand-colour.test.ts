import { describe, expect, it } from 'vitest';
import { contrastRatio, primaryColourProblem } from '../../src/config/brand-colour.js';

describe('brand colour contrast', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // The classic threshold pair: #767676 just passes 4.5:1 on white, #777777 just fails.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('accepts a colour white text is readable on and explains a pale one', () => {
    expect(primaryColourProblem('#767676')).toBeNull();
    expect(primaryColourProblem('#1f4fd1')).toBeNull();
    expect(primaryColourProblem('#777777')).toMatch(/contrast of 4\.48:1, below the 4\.5:1 that WCAG 2\.1 AA requires/);
    expect(primaryColourProblem('#ffcc00')).toMatch(/choose a darker colour/);
  });
});
