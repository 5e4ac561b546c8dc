import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ConsulConfigRegistry } from './config/consul-config.registry';
import { ConsulCoordinator } from './coordination/consul-coordinator';
import { checkLeaseParameters } from './coordination/lease-parameters';
import { ConsulMetadataAccessor } from './consul-metadata.accessor';
import { notSingleton } from './consul.messages';
import { LOG_CONTEXT } from './internal/nest-logger';

/** Nest's instance wrapper, named through a public API (its own module path is internal). */
type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Walks the app's providers and controllers once (DiscoveryService) and hands what the module's
 * decorators marked to the config registry (`@ConsulConfig`, `@OnConsulConfigChange`) and to the
 * coordinator (`@LeaderOnly`, `@WithLock`, checking their `@Lease()` parameters). Request-scoped providers are skipped with a warning:
 * their instances live per request, so nothing could keep them current.
 */
@Injectable()
export class ConsulExplorer {
  private readonly logger = new Logger(LOG_CONTEXT);

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(ConsulMetadataAccessor) private readonly accessor: ConsulMetadataAccessor,
    @Inject(ConsulConfigRegistry) private readonly config: ConsulConfigRegistry,
    @Inject(ConsulCoordinator) private readonly coordinator: ConsulCoordinator,
  ) {}

  /** Registers every decorated property and method; a bad decorator option throws, naming it. */
  explore(): void {
    const seen = new WeakSet<object>();
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      if (!wrapper.isDependencyTreeStatic()) {
        this.warnIfDecorated(wrapper);
        continue;
      }
      for (const instance of instancesOf(wrapper)) {
        if (seen.has(instance)) continue;
        seen.add(instance);
        this.exploreInstance(instance);
      }
    }
  }

  private exploreInstance(instance: object): void {
    const ctor = Object.getPrototypeOf(instance)?.constructor as unknown;
    const className = typeof ctor === 'function' ? ctor.name : 'anonymous';
    const properties = this.accessor.configProperties(ctor);
    for (const meta of properties) this.config.addProperty(instance, className, meta);

    const prototype = Object.getPrototypeOf(instance) as object | null;
    if (!prototype || prototype === Object.prototype) return;
    for (const name of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[name];
      const change = this.accessor.configChange(method);
      if (change) {
        // A handler on a key that a property of the class also binds reads it the same way.
        const sibling = properties.find((p) => p.key === change.key)?.options.parse;
        this.config.addHandler(instance, className, name, change, sibling);
      }
      const coordination = this.accessor.coordination(method);
      const leases = this.accessor.leaseParameters(prototype, name);
      if (leases.length > 0) checkLeaseParameters(`${className}.${name}`, coordination, leases);
      if (coordination.length > 0) {
        this.coordinator.register(instance, `${className}.${name}`, coordination);
      }
    }
  }

  private warnIfDecorated(wrapper: InstanceWrapper): void {
    const ctor = wrapper.metatype as unknown;
    if (typeof ctor !== 'function' || !ctor.prototype) return;
    const prototype = ctor.prototype as Record<string, unknown>;
    const decorated =
      this.accessor.configProperties(ctor).length > 0 ||
      this.scanner
        .getAllMethodNames(prototype)
        .some(
          (name) =>
            this.accessor.configChange(prototype[name]) !== undefined ||
            this.accessor.coordination(prototype[name]).length > 0,
        );
    if (decorated) {
      this.logger.warn(notSingleton(String(wrapper.name)));
    }
  }
}

/** The live instances of a static wrapper: one, or one per consumer for transient providers. */
function instancesOf(wrapper: InstanceWrapper): object[] {
  const candidates: unknown[] = wrapper.isTransient
    ? (wrapper.getStaticTransientInstances?.() ?? []).map((i) => i?.instance)
    : [wrapper.instance];
  return candidates.filter((i): i is object => typeof i === 'object' && i !== null);
}
