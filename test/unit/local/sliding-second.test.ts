import { describe, expect, it } from 'vitest';
import { SlidingSecond } from '../../../infra/local/sliding-second.ts';

describe('Class: SlidingSecond', () => {
  describe('Method: wouldExceed', () => {
    it('refuses the arrival that would make MaxSendRate + 1 within a second, and allows it a second after the first', () => {
      // Prepare: 3/s, arrivals at 0, 400, 800
      const gate = new SlidingSecond();
      for (const at of [0, 400, 800]) gate.add(at);

      // Act
      const early = gate.wouldExceed(999, 3);
      const onTime = gate.wouldExceed(1000, 3);

      // Assess
      expect(early).toBe(true);
      expect(onTime).toBe(false);
    });

    it('judges a request by its own arrival time when later ones were judged first', () => {
      // Prepare: 3/s; requests that arrived at 1200 and 1500 were judged before one that arrived at 1000
      const gate = new SlidingSecond();
      for (const at of [200, 1200, 1500]) gate.add(at);

      // Act
      const late = gate.wouldExceed(1000, 3); // [200, 1200) would hold 2, [1000, 2000) 3
      gate.add(1000);
      const full = gate.wouldExceed(1950, 3); // [1000, 2000) would hold 4
      const after = gate.wouldExceed(2000, 3); // [1200, 2200) would hold 3

      // Assess (the last three acceptances in the order judged, 200, 1200, 1500, would have refused 1000)
      expect(late).toBe(false);
      expect(full).toBe(true);
      expect(after).toBe(false);
    });

    it('looks at windows after the arrival too (a request judged late must not overfill the second after it)', () => {
      // Prepare: 2/s; accepted 1100 and 1900
      const gate = new SlidingSecond();
      gate.add(1100);
      gate.add(1900);

      // Act: 1000 is judged after them: [1000, 2000) would hold three
      const over = gate.wouldExceed(1000, 2);
      const fine = gate.wouldExceed(850, 2);

      // Assess
      expect(over).toBe(true);
      expect(fine).toBe(false);
    });
  });
});
