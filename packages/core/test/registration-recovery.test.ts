import { type HealthReport, silentLogger } from '../src';
import { useAgent } from './support/agent';
import { unique as uniqueName, waitFor } from './support/endpoints-helpers';

/**
 * What a re-registration restores (core README, "Reconciler" and "Maintenance and
 * deregistration"): the maintenance mode and the last reported status, not a fresh passing instance.
 */
describe('re-registration restores maintenance and the last health report', () => {
  const fx = useAgent();

  it('re-applies maintenance mode and the last TTL status after the agent lost the instance', async () => {
    const consul = fx.client({ logger: silentLogger });
    const report: HealthReport = { status: 'warning', output: 'slow db' };
    const reg = consul.register(
      { name: uniqueName('restore'), port: 9, address: '127.0.0.1' },
      { health: () => report },
    );
    await reg.registered;
    const checkId = `${reg.id}:ttl`;
    const maintenanceId = `_service_maintenance:${reg.id}`;
    await reg.maintenance(true, 'draining for deploy');
    await waitFor(async () => (await consul.agent.checks())[checkId]?.status === 'warning');
    const reasons: string[] = [];
    reg.on('reregistered', (e) => reasons.push(e.reason as string));

    // An operator removes the instance behind the registration's back.
    await consul.agent.service.deregister(reg.id);
    // Either detector may notice first: the reconciler (service-missing) or a beat (check-lost).
    await waitFor(() => reasons.length > 0, { timeout: 15_000 });
    const checks = await waitFor(
      () => consul.agent.checks(),
      (c) => c[checkId] !== undefined && c[maintenanceId] !== undefined,
      { timeout: 15_000 },
    );
    expect(checks[maintenanceId]).toMatchObject({
      status: 'critical',
      notes: 'draining for deploy',
    });
    // Registered with the last reported status; a registration cannot carry the output, the next
    // heartbeat brings it back.
    expect(checks[checkId]?.status).toBe('warning');
    await waitFor(async () => (await consul.agent.checks())[checkId]?.output === 'slow db', {
      timeout: 15_000,
    });
    expect(reg.maintenanceEnabled).toBe(true);
    await reg.deregister();
  });
});
