// Real agents: starting a cluster or a separate process that owns an agent takes seconds.
jest.setTimeout(60_000);
