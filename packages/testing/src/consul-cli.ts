import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type TlsFiles } from './agent-args';
import { type ConsulNode } from './agent-handle';

const run = promisify(execFile);

/** An agent the official CLI can reach: a `ConsulAgent`, or a member of a cluster. */
export type CliTarget = Pick<ConsulNode, 'address' | 'binary'> & {
  readonly token?: string | undefined;
  readonly tlsFiles?: TlsFiles | undefined;
};

/**
 * Runs the official `consul` CLI (the agent's own binary) against `agent`, as an operator would, and
 * resolves with its standard output; rejects when it exits non-zero (the error carries its stderr)
 * or runs longer than 30 s. The address, token, CA and client certificate go through
 * `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_TOKEN`, `CONSUL_CACERT` and `CONSUL_CLIENT_CERT`/`KEY`; the caller's own `CONSUL_*` variables are not passed on,
 * so the CLI reaches this agent and no other.
 *
 * @example
 * await consulCli(fx.agent, 'kv', 'put', 'config/app/mode', 'dark');
 */
export async function consulCli(agent: CliTarget, ...args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('CONSUL_')) env[key] = value;
  }
  env.CONSUL_HTTP_ADDR = agent.address;
  if (agent.token !== undefined) env.CONSUL_HTTP_TOKEN = agent.token;
  const files = agent.tlsFiles;
  if (files !== undefined) env.CONSUL_CACERT = files.ca;
  if (files?.clientCert !== undefined) env.CONSUL_CLIENT_CERT = files.clientCert;
  if (files?.clientKey !== undefined) env.CONSUL_CLIENT_KEY = files.clientKey;
  const { stdout } = await run(agent.binary, args, { env, timeout: 30_000 });
  return stdout;
}
