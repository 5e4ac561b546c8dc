import { indexAfterError, indexAfterSuccess } from '../../src/watch/index-rules';

describe('watch index rules', () => {
  it('carries the returned index forward (BQ-1)', () => {
    expect(indexAfterSuccess(0, 14)).toEqual({ next: 14, unchanged: false, reset: false });
    expect(indexAfterSuccess(14, 20)).toEqual({ next: 20, unchanged: false, reset: false });
  });

  it('flags an answer with the index it was sent as unchanged (timeout, BQ-11)', () => {
    expect(indexAfterSuccess(20, 20)).toEqual({ next: 20, unchanged: true, reset: false });
  });

  it('never treats a first, non-blocking read as unchanged', () => {
    expect(indexAfterSuccess(0, 5).unchanged).toBe(false);
  });

  it('resets to 0 when the index goes backwards (agent restart, restore; BQ-9)', () => {
    expect(indexAfterSuccess(14, 1)).toEqual({ next: 0, unchanged: false, reset: true });
    expect(indexAfterSuccess(34, 12)).toEqual({ next: 0, unchanged: false, reset: true });
  });

  it('does not call a fresh read after a reset "backwards"', () => {
    // After a reset the loop sends 0; whatever comes back is simply adopted.
    expect(indexAfterSuccess(0, 3)).toEqual({ next: 3, unchanged: false, reset: false });
  });

  it('floors a missing or zero index at 1, never 0 (BQ-10)', () => {
    expect(indexAfterSuccess(0, undefined)).toEqual({ next: 1, unchanged: false, reset: false });
    expect(indexAfterSuccess(0, 0)).toEqual({ next: 1, unchanged: false, reset: false });
    expect(indexAfterSuccess(9, 0)).toEqual({ next: 1, unchanged: false, reset: false });
    expect(indexAfterSuccess(9, Number.NaN).next).toBe(1);
    expect(indexAfterSuccess(9, -3).next).toBe(1);
  });

  it('re-reads fresh after an error instead of adopting its index (BQ-12, BQ-15)', () => {
    expect(indexAfterError()).toBe(0);
  });
});
