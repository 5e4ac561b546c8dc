import { DeadlineList } from '../../src/http/deadlines';

/** Resolves once `cond()` holds, polling; rejects after `timeoutMs`. */
async function waitFor(cond: () => boolean, timeoutMs = 2_000): Promise<void> {
  for (let waited = 0; !cond(); waited += 5) {
    if (waited > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('DeadlineList (ServiceClient call deadlines)', () => {
  it('fires deadlines in expiry order, whatever the insertion order', async () => {
    const list = new DeadlineList();
    const fired: string[] = [];
    list.add(60, () => fired.push('60'));
    list.add(20, () => fired.push('20'));
    list.add(40, () => fired.push('40'));
    list.add(40, () => fired.push('40b'));
    expect(list.size).toBe(4);
    await waitFor(() => fired.length === 4);
    expect(fired).toEqual(['20', '40', '40b', '60']);
    expect(list.size).toBe(0);
  });

  it('never fires a removed deadline, and removing twice is harmless', async () => {
    const list = new DeadlineList();
    const fired: string[] = [];
    const head = list.add(10, () => fired.push('head'));
    const middle = list.add(20, () => fired.push('middle'));
    list.add(30, () => fired.push('tail'));
    list.remove(head);
    list.remove(middle);
    list.remove(middle);
    expect(list.size).toBe(1);
    await waitFor(() => fired.length === 1);
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toEqual(['tail']);
  });

  it('keeps working after it emptied and for deadlines added while firing', async () => {
    const list = new DeadlineList();
    const fired: string[] = [];
    list.add(5, () => {
      fired.push('first');
      list.add(5, () => fired.push('added while firing'));
    });
    await waitFor(() => fired.length === 2);
    list.add(5, () => fired.push('after empty'));
    await waitFor(() => fired.length === 3);
    expect(fired).toEqual(['first', 'added while firing', 'after empty']);
  });

  it('an earlier deadline added later is not held up by a later head', async () => {
    const list = new DeadlineList();
    const fired: string[] = [];
    const late = list.add(10_000, () => fired.push('late'));
    list.add(10, () => fired.push('early'));
    await waitFor(() => fired.length === 1);
    expect(fired).toEqual(['early']);
    list.remove(late);
    expect(list.size).toBe(0);
  });
});
