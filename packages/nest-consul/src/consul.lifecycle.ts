import { type AddressInfo } from 'node:net';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ConsulConfigRegistry } from './config/consul-config.registry';
import { ConsulCoordinator } from './coordination/consul-coordinator';
import { ConsulExplorer } from './consul.explorer';
import { ConsulRuntime } from './internal/consul-runtime';
import { NO_HTTP_SERVER } from './consul.messages';

/** The part of a Node server the registration needs. */
interface ListeningServer {
  address(): AddressInfo | string | null;
  once(event: 'listening', listener: () => void): unknown;
  off(event: 'listening', listener: () => void): unknown;
}

/**
 * Maps Nest's lifecycle onto Consul, in one place so the order is explicit:
 * - `onModuleInit`: the `failFast` probe, then every `@ConsulConfig` value is read (a global
 *   module's hooks run before all others, so dependents' `onModuleInit` already see them);
 * - `onApplicationBootstrap`: `@LeaderOnly` campaigns start; registration waits for the HTTP
 *   server to really listen (`HttpAdapterHost.listen$`, or the server's `listening` event when it
 *   is started outside `app.listen`) and uses the bound address and port;
 * - `beforeApplicationShutdown`: maintenance → drain → deregister, while the server still serves;
 * - `onApplicationShutdown`: registration loops, elections, watches, pools and sessions end, and
 *   an owned client closes.
 */
@Injectable()
export class ConsulLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private stopListening: (() => void) | undefined;
  private registering = false;

  constructor(
    @Inject(ConsulRuntime) private readonly runtime: ConsulRuntime,
    @Inject(ConsulExplorer) private readonly explorer: ConsulExplorer,
    @Inject(ConsulConfigRegistry) private readonly config: ConsulConfigRegistry,
    @Inject(ConsulCoordinator) private readonly coordinator: ConsulCoordinator,
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.runtime.lifecycle.probe();
      this.explorer.explore();
      await this.config.load();
    } catch (err) {
      // A failed startup must leave no watch or pool behind (nothing may call close()).
      await this.onApplicationShutdown();
      throw err;
    }
  }

  onApplicationBootstrap(): void {
    this.coordinator.start();
    this.registerWhenListening();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    await this.runtime.lifecycle.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopListening?.();
    await this.coordinator.stop();
    await this.runtime.lifecycle.close();
  }

  private registerWhenListening(): void {
    const lifecycle = this.runtime.lifecycle;
    if (!this.runtime.options.service) return;
    const host = this.adapterHost;
    const server = host?.httpAdapter?.getHttpServer() as ListeningServer | undefined;
    if (!host || !server || typeof server.address !== 'function') {
      this.runtime.logger.warn(NO_HTTP_SERVER);
      return;
    }
    const start = () => {
      if (this.registering) return;
      const bound = server.address();
      if (bound === null) return;
      this.registering = true;
      this.stopListening?.();
      const info = typeof bound === 'object' ? bound : undefined;
      void lifecycle.listen({ address: info?.address, port: info?.port });
    };
    if (host.listening || server.address() !== null) {
      start();
      return;
    }
    const subscription = host.listen$.subscribe(start);
    server.once('listening', start);
    this.stopListening = () => {
      subscription.unsubscribe();
      server.off('listening', start);
      this.stopListening = undefined;
    };
  }
}
