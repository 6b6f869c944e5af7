import { accentButton, contrastRatio, readableShade, TEXT_CONTRAST, textOn } from '../../src/widget/theme';

const WHITE = [255, 255, 255] as const;
const LIGHT_ACCENT = [122, 167, 255] as const; // #7aa7ff, the dark palette's accent
const DARK_TEXT = [31, 35, 40] as const; // the light palette's text

describe('the accent’s contrast', () => {
  test('measures WCAG ratios: white on #7aa7ff is the 2.38:1 the issue found', () => {
    expect(contrastRatio(WHITE, [0, 0, 0])).toBeCloseTo(21, 5);
    expect(Math.floor(contrastRatio(WHITE, LIGHT_ACCENT) * 100) / 100).toBe(2.38);
  });

  test('puts ink on a light accent and white on a dark one; a mid-tone fill is deepened; always at least 4.5:1', () => {
    expect(textOn(LIGHT_ACCENT)).toEqual([16, 19, 26]);
    expect(textOn([29, 95, 209])).toEqual(WHITE);
    expect(accentButton([29, 95, 209])).toEqual({ text: WHITE, fill: [29, 95, 209] });
    const facebookBlue = [24, 119, 242] as const;
    expect(contrastRatio(textOn(facebookBlue), facebookBlue)).toBeLessThan(TEXT_CONTRAST);
    for (const accent of [LIGHT_ACCENT, [29, 95, 209], [255, 200, 0], facebookBlue, [128, 128, 128], [0, 160, 0]] as const) {
      const button = accentButton(accent);
      expect([accent, contrastRatio(button.text, button.fill) >= TEXT_CONTRAST]).toEqual([accent, true]);
    }
  });

  test('keeps an accent that reads as text, and darkens one that does not, toward the text colour', () => {
    expect(readableShade([29, 95, 209], WHITE, DARK_TEXT)).toEqual([29, 95, 209]);
    const shade = readableShade(LIGHT_ACCENT, WHITE, DARK_TEXT);
    expect(contrastRatio(shade, WHITE)).toBeGreaterThanOrEqual(TEXT_CONTRAST);
    expect(shade[2]).toBeGreaterThan(shade[0]);
  });
});
