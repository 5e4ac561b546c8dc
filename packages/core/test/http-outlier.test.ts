import { DIAGNOSTIC_CHANNELS, silentLogger, type HttpEjectMessage } from '../src';
import { OutlierDetector } from '../src/http/outlier';
import { resolveEjection } from '../src/http/service-client-options';
import { record } from './http-backends';
import { inst } from './unit/balancer-support';

describe('OutlierDetector (passive ejection)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const make = (over: Parameters<typeof resolveEjection>[0] = {}) =>
    new OutlierDetector(
      'svc',
      resolveEjection({ baseEjectionTime: 1_000, maxEjectionTime: 2_500, ...over }),
      silentLogger,
    );

  it('ejects after N consecutive failures; a success in between resets the count', () => {
    const d = make();
    const a = inst('a');
    d.failure(a, 4);
    d.failure(a, 4);
    d.success(a);
    d.failure(a, 4);
    d.failure(a, 4);
    expect(d.ejected.has('a')).toBe(false);
    expect(d.failure(a, 4)).toBe(true);
    expect([...d.ejected]).toEqual(['a']);
    d.close();
  });

  it('re-admits on time, on probation; ejection time grows n × base up to the cap', () => {
    const ejects = record<HttpEjectMessage>(DIAGNOSTIC_CHANNELS.httpEject);
    const d = make();
    const a = inst('a');
    try {
      for (let i = 0; i < 3; i++) d.failure(a, 4);
      jest.advanceTimersByTime(999);
      expect(d.ejected.has('a')).toBe(true);
      jest.advanceTimersByTime(1);
      expect(d.ejected.has('a')).toBe(false);
      // Probation: one failure is enough now, and this ejection lasts 2 × base.
      expect(d.failure(a, 4)).toBe(true);
      jest.advanceTimersByTime(1_999);
      expect(d.ejected.has('a')).toBe(true);
      jest.advanceTimersByTime(1);
      expect(d.ejected.has('a')).toBe(false);
      d.failure(a, 4);
      expect(ejects.messages.map((m) => m.ejectionMs)).toEqual([1_000, 2_000, 2_500]);
      expect(ejects.messages.map((m) => m.ejections)).toEqual([1, 2, 3]);
    } finally {
      ejects.stop();
      d.close();
    }
  });

  it('a success after re-admission ends probation', () => {
    const d = make();
    const a = inst('a');
    for (let i = 0; i < 3; i++) d.failure(a, 4);
    jest.advanceTimersByTime(1_000);
    d.success(a);
    expect(d.failure(a, 4)).toBe(false);
    d.close();
  });

  it('never ejects more than maxEjectedPercent of the instances', () => {
    const d = make({ maxEjectedPercent: 50 });
    const [a, b, c] = [inst('a'), inst('b'), inst('c')];
    for (const x of [a, b, c]) for (let i = 0; i < 3; i++) d.failure(x, 3);
    expect([...d.ejected]).toEqual(['a']);
    const single = make();
    for (let i = 0; i < 5; i++) single.failure(inst('only'), 1);
    expect(single.ejected.size).toBe(0);
    d.close();
    single.close();
  });

  it('forgets instances that left the set', () => {
    const d = make();
    const a = inst('a');
    for (let i = 0; i < 3; i++) d.failure(a, 4);
    d.retain(new Set(['b']));
    expect(d.ejected.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    d.close();
  });
});
