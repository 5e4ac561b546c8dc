import {
  ConsulAclError,
  ConsulBadRequestError,
  ConsulConflictError,
  type ConsulError,
  type ConsulRequestInfo,
  ConsulNotFoundError,
  ConsulRateLimitError,
  ConsulUnavailableError,
  ConsulProtocolError,
} from '../errors';

/**
 * 500s that mean "Consul could not serve this now" (retryable). Every other 500 is semantic
 * (invalid session, unknown check, bad filter...) and must not be retried. Matched as substrings so
 * the `rpc error making call: ` / `rpc error getting client: ` prefixes of forwarded calls do not
 * matter.
 */
const TRANSIENT_500 = [
  /no cluster leader/i,
  /no path to datacenter/i,
  /(?:^|: )eof$/i,
  /connection refused/i,
  /i\/o timeout/i,
  /broken pipe/i,
  /connection reset/i,
  /rpc error getting client/i,
  /rpc error(?: making call)?: .*timeout/i,
  /rate limit/i,
  /leadership lost/i,
  /raft is already shutdown/i,
  /consul server (?:is )?(?:not|un)available/i,
  /no known consul servers/i,
  /error making call: .*(?:closed|shutdown)/i,
];

/**
 * Semantic 500s checked first: their text can echo user input (a filter selector, a check name)
 * that happens to contain a network word such as "timeout" or "connection refused".
 */
const SEMANTIC_500 = [
  /boolean expression/i,
  /invalid session/i,
  /session ttl/i,
  /missing node registration/i,
  /missing check/i,
  /critical state/i,
  /associated ttl/i,
  /unknown (?:check|service)/i,
  /scripts are disabled/i,
  /invalid behavior/i,
  /strconv\./i,
  /uuid must be/i,
];

/** True when a 500 body names a condition that clears by itself (leader election, RPC hiccup). */
export function isTransient500(body: string): boolean {
  const text = body.trim();
  if (SEMANTIC_500.some((re) => re.test(text))) return false;
  return TRANSIENT_500.some((re) => re.test(text));
}

/** Maps a non-2xx Consul answer to a typed error; `body` is kept verbatim (it is plain text). */
export function errorFromResponse(
  status: number,
  body: string,
  request: ConsulRequestInfo,
): ConsulError {
  const text = body.trim();
  const message = `Consul ${request.method} ${request.path} failed: ${status}${text ? ` ${text}` : ''}`;
  const options = { status, body: text, request };
  switch (true) {
    case status === 403:
      return new ConsulAclError(`${message} (check the ACL token and its policy)`, options);
    case status === 404:
      return new ConsulNotFoundError(message, options);
    case status === 409:
      return new ConsulConflictError(message, { ...options, errors: txnErrors(text) });
    case status === 429:
      return new ConsulRateLimitError(message, options);
    case status >= 500 && status !== 501 && (isTransient500(text) || text === '' || status >= 502):
      return new ConsulUnavailableError(message, options);
    case status >= 400:
      return new ConsulBadRequestError(message, options);
    default:
      return new ConsulProtocolError(message, options);
  }
}

function txnErrors(body: string): Array<{ opIndex: number; what: string }> {
  try {
    const parsed = JSON.parse(body) as { Errors?: Array<{ OpIndex: number; What: string }> };
    return (parsed.Errors ?? []).map((e) => ({ opIndex: e.OpIndex, what: e.What }));
  } catch {
    return [];
  }
}

/**
 * OpenSSL codes (`ERR_SSL_…_ALERT_…`) of the alerts a server sends when a client certificate is
 * missing or not accepted: Go (Consul) answers `bad_certificate` for both, TLS 1.3 servers may say
 * `certificate_required`, others `unknown_ca` or `certificate_unknown`.
 */
const CLIENT_CERT_ALERT =
  /ALERT_(?:BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED)$/;

/**
 * What a TLS failure `code` says about the client certificate, or `undefined` when it is not about
 * it (an untrusted agent certificate, a wrong host name...). An alert from the agent means it
 * verifies incoming connections: without a certificate it required one, with one it refused it.
 */
export function clientCertificateCause(code: string, hasClientCert: boolean): string | undefined {
  if (!CLIENT_CERT_ALERT.test(code)) return undefined;
  return hasClientCert
    ? 'the agent refused the client certificate (is it signed by a CA the agent trusts, ' +
        'and still valid?)'
    : 'the agent requires a client certificate and none is configured (set tls.cert and ' +
        'tls.key, or CONSUL_CLIENT_CERT and CONSUL_CLIENT_KEY)';
}
