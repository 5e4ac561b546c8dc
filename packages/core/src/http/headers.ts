import type { Dispatcher } from 'undici';

type Headers = Dispatcher.DispatchOptions['headers'];

/**
 * `headers` with a `host` entry set to `host`, unless the caller already set one (their explicit
 * Host wins). Accepts every header shape undici does: a plain object, a flat `[name, value, ...]`
 * array, or an iterable of pairs (`Headers`, `Map`). Never mutates the input.
 */
export function withHostHeader(headers: Headers, host: string): Headers {
  if (headers === undefined || headers === null) return { host };
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === 'host') return headers;
    }
    return ['host', host, ...headers];
  }
  if (isIterable(headers)) {
    const flat: string[] = [];
    for (const [name, value] of headers) {
      if (name.toLowerCase() === 'host') return headers;
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) flat.push(name, v);
    }
    return ['host', host, ...flat];
  }
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'host') return headers;
  }
  return { host, ...headers };
}

function isIterable(value: object): value is Iterable<[string, string | string[] | undefined]> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
