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
 * the `rpc error making call: ` prefix added by client agents does not matter.
 */
const TRANSIENT_500 = [
  /no cluster leader/i,
  /no path to datacenter/i,
  /rpc error(?: making call)?: (?:eof|.*connection refused|.*i\/o timeout|.*timeout|.*broken pipe|.*connection reset)/i,
  /^eof$/i,
  /rate limit/i,
  /leadership lost/i,
  /raft is already shutdown/i,
  /consul server (?:is )?(?:not|un)available/i,
  /no known consul servers/i,
  /error making call: .*(?:closed|shutdown)/i,
];

/** True when a 500 body names a condition that clears by itself (leader election, RPC hiccup). */
export function isTransient500(body: string): boolean {
  return TRANSIENT_500.some((re) => re.test(body.trim()));
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
