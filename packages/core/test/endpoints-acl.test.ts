import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConsulAclError, ConsulNotFoundError, silentLogger } from '../src';
import { useAgent } from './support/agent';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('endpoints under ACLs (default policy deny)', () => {
  const fx = useAgent({ acl: true });
  // `env: {}` keeps the developer's CONSUL_HTTP_TOKEN* out of these tests.
  const anonymous = () => fx.client({ token: undefined, env: {}, logger: silentLogger });

  it('denies an anonymous write with ConsulAclError (permission-denied, not retried)', async () => {
    const err = await anonymous()
      .kv.put('acl/anon', 'x')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulAclError);
    expect(err).toMatchObject({
      code: 'CONSUL_ACL',
      status: 403,
      reason: 'permission-denied',
      retryable: false,
    });
    await expect(anonymous().agent.service.register({ name: 'acl-anon' })).rejects.toBeInstanceOf(
      ConsulAclError,
    );
  });

  it('tells an unknown token apart and never puts the token in the message', async () => {
    const bogus = '0f4a3c1e-0000-4000-8000-00000000dead';
    const err = await fx
      .client({ token: bogus, env: {} })
      .kv.get('acl/x')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulAclError);
    expect((err as ConsulAclError).reason).toBe('acl-not-found');
    expect(JSON.stringify({ ...(err as object), message: (err as Error).message })).not.toContain(
      bogus,
    );
    expect(String((err as Error).stack)).not.toContain(bogus);
  });

  it('list endpoints filter silently instead of denying', async () => {
    await fx.client().agent.service.register({ name: 'acl-visible' });
    expect(Object.keys(await fx.client().catalog.services())).toContain('acl-visible');
    expect(await anonymous().catalog.services()).toEqual({});
  });

  it('uses the token given as an option', async () => {
    const consul = fx.client({ token: fx.agent.token, env: {} });
    expect(await consul.kv.put('acl/option', 'ok')).toBe(true);
    expect((await consul.kv.get('acl/option'))?.value).toBe('ok');
  });

  it('uses the token per call, overriding the client', async () => {
    expect(await anonymous().kv.put('acl/per-call', 'ok', { token: fx.agent.token })).toBe(true);
  });

  it('reads the token from CONSUL_HTTP_TOKEN through the env option', async () => {
    const consul = fx.client({ token: undefined, env: { CONSUL_HTTP_TOKEN: fx.agent.token } });
    expect(await consul.kv.put('acl/env', 'ok')).toBe(true);
  });

  it('reads the token from a file (tokenFile and CONSUL_HTTP_TOKEN_FILE)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'consulkit-token-'));
    const file = path.join(dir, 'token');
    writeFileSync(file, `${fx.agent.token}\n`);
    const byOption = fx.client({ token: undefined, tokenFile: file, env: {} });
    expect(await byOption.kv.put('acl/file', 'ok')).toBe(true);
    const byEnv = fx.client({ token: undefined, env: { CONSUL_HTTP_TOKEN_FILE: file } });
    expect(await byEnv.kv.put('acl/env-file', 'ok')).toBe(true);
    // tokenFile wins over token.
    const both = fx.client({ token: 'wrong', tokenFile: file, env: {} });
    expect(await both.kv.put('acl/both', 'ok')).toBe(true);
  });

  it('maps 1.8 ACL-mode answers for unknown checks and services', async () => {
    const consul = fx.client();
    // 1.8.7 with ACLs: `500 Unknown check "x"`; current versions: 404.
    await expect(consul.agent.check.pass('acl-no-such-check')).rejects.toBeInstanceOf(
      ConsulNotFoundError,
    );
    // 1.8.7 with ACLs: `500 Unknown service {"x" {}}`; current versions: 404.
    expect(await consul.agent.service.deregister('acl-no-such-service')).toBe(false);
  });
});
