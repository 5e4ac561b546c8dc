import {
  ConsulHarnessOptionError,
  ensureConsulBinary,
  startCluster,
  startConsul,
  type StartClusterOptions,
  type StartConsulOptions,
} from '../src';

/** Lets a test pass values the types forbid, as a JavaScript caller could. */
const untyped = <T>(value: unknown) => value as T;

describe('option validation', () => {
  it('rejects startConsul({ tls: true, acl: "yes" }) naming the acl option', async () => {
    const attempt = startConsul(untyped<StartConsulOptions>({ tls: true, acl: 'yes' }));
    await expect(attempt).rejects.toBeInstanceOf(ConsulHarnessOptionError);
    await expect(attempt).rejects.toMatchObject({
      option: 'acl',
      code: 'CONSULKIT_HARNESS_OPTION',
      message: expect.stringContaining('"acl"'),
    });
  });

  it.each([
    [{ servers: 0 }, 'servers'],
    [{ servers: 2.5 }, 'servers'],
    [{ clients: -1 }, 'clients'],
    [{ acl: true }, 'acl'],
    [{ startTimeout: 0 }, 'startTimeout'],
  ])('rejects startCluster(%j) naming %s', async (options, option) => {
    await expect(startCluster(untyped<StartClusterOptions>(options))).rejects.toMatchObject({
      name: 'ConsulHarnessOptionError',
      option,
    });
  });

  it('rejects an unknown binary source naming the sources option', async () => {
    await expect(
      ensureConsulBinary({ sources: untyped<['PATH']>(['PATH', 'homebrew']) }),
    ).rejects.toMatchObject({ option: 'sources' });
  });
});
