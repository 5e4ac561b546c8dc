import { ConsulLockError } from '../../src';
import {
  decodeSemaphoreRecord,
  encodeSemaphoreRecord,
  pruneDeadHolders,
} from '../../src/coordination/semaphore-record';

const KEY = 'sem/.lock';

describe('semaphore coordination record (Go JSON shape)', () => {
  it('reads a missing or empty value as a fresh record with our limit', () => {
    expect(decodeSemaphoreRecord(null, 3, KEY)).toEqual({ limit: 3, holders: new Set() });
    expect(decodeSemaphoreRecord(Buffer.alloc(0), 2, KEY)).toEqual({
      limit: 2,
      holders: new Set(),
    });
  });

  it('decodes what Go writes, including null Holders', () => {
    const go = Buffer.from('{"Limit":2,"Holders":{"a":true,"b":true}}');
    expect(decodeSemaphoreRecord(go, 5, KEY)).toEqual({ limit: 2, holders: new Set(['a', 'b']) });
    const empty = Buffer.from('{"Limit":1,"Holders":null}');
    expect(decodeSemaphoreRecord(empty, 1, KEY)).toEqual({ limit: 1, holders: new Set() });
  });

  it('encodes the Go shape with sorted holders, and round-trips', () => {
    const text = encodeSemaphoreRecord({ limit: 2, holders: new Set(['z', 'a']) });
    expect(text).toBe('{"Limit":2,"Holders":{"a":true,"z":true}}');
    expect(decodeSemaphoreRecord(Buffer.from(text), 9, KEY)).toEqual({
      limit: 2,
      holders: new Set(['a', 'z']),
    });
  });

  it('treats a foreign value as a conflict', () => {
    for (const bad of ['not json', '[1,2]', '{"Holders":{}}', '{"Limit":2,"Holders":[]}']) {
      expect(() => decodeSemaphoreRecord(Buffer.from(bad), 2, KEY)).toThrow(ConsulLockError);
    }
    expect(() => decodeSemaphoreRecord(Buffer.from('nope'), 2, KEY)).toThrow(
      expect.objectContaining({ reason: 'conflict', key: KEY }),
    );
  });

  it('prunes holders whose contender key no longer carries their session', () => {
    const record = { limit: 3, holders: new Set(['live', 'dead', 'gone']) };
    const entries = [
      { session: 'live' },
      { session: undefined }, // released contender key of "dead"
      { session: 'other' },
    ];
    expect(pruneDeadHolders(record, entries)).toEqual({ limit: 3, holders: new Set(['live']) });
    // The input is left untouched.
    expect(record.holders.size).toBe(3);
  });
});
