import {
  ConsulAclError,
  ConsulBadRequestError,
  ConsulConflictError,
  ConsulNotFoundError,
  ConsulProtocolError,
  ConsulRateLimitError,
  ConsulUnavailableError,
} from '../../src';
import {
  clientCertificateCause,
  errorFromResponse,
  isTransient500,
} from '../../src/internal/classify';

const request = { method: 'PUT', path: '/v1/x', address: 'http://127.0.0.1:8500' };
const classify = (status: number, body: string) => errorFromResponse(status, body, request);
const PREFIXES = ['', 'rpc error making call: ', 'rpc error: '];

describe('error classification (consul-semantics §8, §9)', () => {
  describe.each(PREFIXES)('transient 500s with prefix %j are retryable', (prefix) => {
    it.each([
      'No cluster leader',
      'No path to datacenter',
      'EOF',
      'dial tcp 127.0.0.1:8300: connect: connection refused',
      'read tcp 127.0.0.1:50000->127.0.0.1:8300: i/o timeout',
      'write tcp 127.0.0.1:1->127.0.0.1:2: write: broken pipe',
      'read: connection reset by peer',
      'leadership lost while committing log',
      'raft is already shutdown',
    ])('%s', (message) => {
      const body = message === 'EOF' && prefix === '' ? 'EOF' : `${prefix}${message}`;
      const err = classify(500, body);
      expect(err).toBeInstanceOf(ConsulUnavailableError);
      expect(err.retryable).toBe(true);
    });
  });

  describe.each(PREFIXES)(
    'semantic 500s with prefix %j are bad requests, not retried',
    (prefix) => {
      it.each([
        'invalid session "3f1d2a4c-8f7e-4b1a-9c3d-2e5f6a7b8c9d"',
        "Invalid Session TTL '9000000000', must be between [10s=24h0m0s]",
        'Missing node registration',
        "Check 'service:web' is in critical state",
        "Missing check 'web-ttl' registration",
        'CheckID "web-ttl" does not have associated TTL',
        'Unknown check "web-ttl"',
        'Unknown service {"web-1" {}}',
        'Invalid Behavior setting',
        'Failed to create boolean expression evaluator: Selector "Service.Nope" is not valid',
        "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true",
        'strconv.ParseUint: parsing "-1": invalid syntax',
        'UUID must be 36 characters',
      ])('%s', (message) => {
        const err = classify(500, `${prefix}${message}`);
        expect(err).toBeInstanceOf(ConsulBadRequestError);
        expect(err.retryable).toBe(false);
        expect(err.body).toBe(`${prefix}${message}`);
      });
    },
  );

  it('does not mistake a filter that mentions a network word for a transient failure', () => {
    // The selector text is user input echoed back; it must not make the error retryable.
    for (const body of [
      'rpc error making call: Failed to create boolean expression evaluator: Selector "Service.Meta.timeout" is not valid',
      'rpc error making call: Failed to create boolean expression evaluator: Selector "Node.Meta.connection refused" is not valid',
      'rpc error making call: Failed to create boolean expression evaluator: Selector "Service.Meta.rate limit" is not valid',
    ]) {
      expect(isTransient500(body)).toBe(false);
      expect(classify(500, body)).toBeInstanceOf(ConsulBadRequestError);
    }
  });

  it('an empty 500 and 502-504 are unavailable; 501 is a bad request', () => {
    expect(classify(500, '')).toBeInstanceOf(ConsulUnavailableError);
    expect(classify(502, 'Bad Gateway')).toBeInstanceOf(ConsulUnavailableError);
    expect(classify(503, 'rate limit exceeded, try again later')).toBeInstanceOf(
      ConsulUnavailableError,
    );
    expect(classify(504, '')).toBeInstanceOf(ConsulUnavailableError);
    expect(classify(501, 'Not Implemented')).toBeInstanceOf(ConsulBadRequestError);
  });

  it('403: 1.8.7 and 1.12+ texts, with the token-invalid case told apart', () => {
    const denied = classify(403, 'Permission denied');
    expect(denied).toBeInstanceOf(ConsulAclError);
    expect((denied as ConsulAclError).reason).toBe('permission-denied');
    const verbose = classify(
      403,
      "Permission denied: token with AccessorID 'a1b2' lacks permission 'key:write' on \"app/x\"",
    );
    expect((verbose as ConsulAclError).reason).toBe('permission-denied');
    const notFound = classify(403, 'rpc error making call: ACL not found');
    expect((notFound as ConsulAclError).reason).toBe('acl-not-found');
    expect(notFound.retryable).toBe(false);
  });

  it('404: both the empty KV answer and current-version "unknown" texts are not-found', () => {
    for (const body of [
      '',
      'Unknown check ID "web-ttl". Ensure that the check ID is passed, not the check name.',
      'Unknown service ID "web-1". Ensure that the service ID is passed, not the service name.',
      "Session id 'x' not found",
    ]) {
      const err = classify(404, body);
      expect(err).toBeInstanceOf(ConsulNotFoundError);
      expect(err.retryable).toBe(false);
    }
  });

  it('409 lists the rolled-back operations of a transaction', () => {
    const body = JSON.stringify({
      Results: null,
      Errors: [
        { OpIndex: 0, What: 'failed session check for key "l", current session "a" != "b"' },
        { OpIndex: 2, What: 'key "k" doesn\'t exist' },
      ],
    });
    const err = classify(409, body) as ConsulConflictError;
    expect(err).toBeInstanceOf(ConsulConflictError);
    expect(err.errors).toEqual([
      { opIndex: 0, what: 'failed session check for key "l", current session "a" != "b"' },
      { opIndex: 2, what: 'key "k" doesn\'t exist' },
    ]);
    expect(err.retryable).toBe(false);
    expect((classify(409, 'not json') as ConsulConflictError).errors).toEqual([]);
  });

  it('429 (empty body from the RPC rate limiter, or a text) is a retryable rate limit', () => {
    expect(classify(429, '')).toBeInstanceOf(ConsulRateLimitError);
    expect(classify(429, 'Your IP is issuing too many concurrent connections').retryable).toBe(
      true,
    );
  });

  it('400, 405 and 413 are bad requests with the body kept verbatim', () => {
    const err = classify(400, 'Request decode failed: json: unknown field "Foo"\n');
    expect(err).toBeInstanceOf(ConsulBadRequestError);
    expect(err.body).toBe('Request decode failed: json: unknown field "Foo"');
    expect(err.status).toBe(400);
    expect(classify(405, 'method GET not allowed')).toBeInstanceOf(ConsulBadRequestError);
    expect(classify(413, 'Transaction contains too many operations (65 > 64)')).toBeInstanceOf(
      ConsulBadRequestError,
    );
  });

  it('anything else (1xx/3xx) is a protocol error', () => {
    expect(classify(301, '')).toBeInstanceOf(ConsulProtocolError);
  });

  it('messages name the call but never a token', () => {
    const err = classify(403, 'Permission denied');
    expect(err.message).toContain('PUT /v1/x');
    expect(err.request).toEqual(request);
  });
});

describe('clientCertificateCause (TLS alerts about the client certificate)', () => {
  it.each([
    'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  ])('%s: "requires one" without a certificate, "refused it" with one', (code) => {
    expect(clientCertificateCause(code, false)).toMatch(
      /requires a client certificate and none is configured .*CONSUL_CLIENT_CERT/,
    );
    expect(clientCertificateCause(code, true)).toMatch(/the agent refused the client certificate/);
  });

  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'UND_ERR_SOCKET',
    '',
  ])('says nothing about %j (not about the client certificate)', (code) => {
    expect(clientCertificateCause(code, false)).toBeUndefined();
  });
});
