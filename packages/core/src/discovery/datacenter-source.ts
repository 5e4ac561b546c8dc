import type {
  InstanceChangeListener,
  InstanceSource,
  ServiceInstance,
} from '../models/service-instance';

/**
 * A failover datacenter's instances with their IDs qualified as `id@dc`. The router keys retries
 * and ejection by instance ID, and the same service ID is commonly registered in every datacenter:
 * unqualified, a failed local `web-1` would also exclude (or eject) the remote `web-1` it should
 * fail over to. The mapped list is rebuilt only when the underlying list changes.
 */
export function datacenterSource(source: InstanceSource, dc: string): InstanceSource {
  let input: readonly ServiceInstance[] | undefined;
  let output: readonly ServiceInstance[] = [];
  const map = (list: readonly ServiceInstance[]): readonly ServiceInstance[] => {
    if (list !== input) {
      input = list;
      output = Object.freeze(list.map((i) => ({ ...i, id: `${i.id}@${dc}` })));
    }
    return output;
  };
  const wrapped = new Map<InstanceChangeListener, InstanceChangeListener>();
  return {
    name: source.name,
    instances: () => map(source.instances()),
    ready: (signal) => source.ready(signal),
    on(event, listener) {
      let inner = wrapped.get(listener);
      if (inner === undefined) {
        inner = (list) => listener(map(list));
        wrapped.set(listener, inner);
      }
      return source.on(event, inner);
    },
    off(event, listener) {
      const inner = wrapped.get(listener);
      if (inner === undefined) return undefined;
      wrapped.delete(listener);
      return source.off(event, inner);
    },
    close: () => source.close?.(),
  };
}
