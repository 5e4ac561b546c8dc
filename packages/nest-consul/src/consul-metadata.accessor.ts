import { Injectable } from '@nestjs/common';
import {
  CONSUL_CONFIG_CHANGE,
  CONSUL_CONFIG_PROPERTIES,
  CONSUL_COORDINATION,
} from './consul.metadata-keys';
import {
  type ConsulConfigChangeMetadata,
  type ConsulConfigPropertyMetadata,
} from './config/consul-config.decorator';
import { type CoordinationMetadata } from './coordination/coordination.metadata';
import { leaseParameters, type LeaseParameter } from './coordination/lease-parameters';

/** Reads what the module's decorators recorded (the explorer's only view of the metadata). */
@Injectable()
export class ConsulMetadataAccessor {
  /** The `@ConsulConfig` properties of a class, its ancestors' included. */
  configProperties(ctor: unknown): readonly ConsulConfigPropertyMetadata[] {
    if (typeof ctor !== 'function') return [];
    return (Reflect.getMetadata(CONSUL_CONFIG_PROPERTIES, ctor) ??
      []) as ConsulConfigPropertyMetadata[];
  }

  /** The `@OnConsulConfigChange` metadata of a method. */
  configChange(method: unknown): ConsulConfigChangeMetadata | undefined {
    if (typeof method !== 'function') return undefined;
    return Reflect.getMetadata(CONSUL_CONFIG_CHANGE, method) as
      ConsulConfigChangeMetadata | undefined;
  }

  /** The `@LeaderOnly` / `@WithLock` metadata of a method (decorators may stack). */
  coordination(method: unknown): readonly CoordinationMetadata[] {
    if (typeof method !== 'function') return [];
    return (Reflect.getMetadata(CONSUL_COORDINATION, method) ?? []) as CoordinationMetadata[];
  }

  /** The `@Lease()` parameters of a method. */
  leaseParameters(prototype: object, method: string): readonly LeaseParameter[] {
    return leaseParameters(prototype, method);
  }
}
