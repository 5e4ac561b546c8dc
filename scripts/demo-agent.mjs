#!/usr/bin/env node
// Stand-in for the demo until examples/demo lands: provisions Consul, starts a dev agent, shows it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { startConsul } = require('@consulkit/testing');

const agent = await startConsul();
const members = await (await fetch(`${agent.address}/v1/agent/members`)).json();
console.log(
  `Consul ${agent.version} dev agent is up at ${agent.address} (UI: ${agent.address}/ui/)`,
);
console.log(`members: ${members.map((m) => `${m.Name} (${m.Addr})`).join(', ')}`);
console.log('The full CDN demo arrives with the examples; stopping the agent.');
await agent.stop();
