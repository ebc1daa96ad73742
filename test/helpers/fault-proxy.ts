/**
 * A fault-injecting HTTP proxy on 127.0.0.1, put in front of Azurite for reliability tests.
 * It forwards requests unchanged and, by a seeded draw per request, answers instead with a
 * 500 or 503, a 429 with Retry-After, a connection reset (before or after the request reached
 * Azurite: an ambiguous outcome), a stall (no answer at all), a body stall (the real status and
 * headers and half the body, then nothing more), or a slow body (the real answer, trickled). The
 * n-th request gets the same fault for the same seed, so a failure replays. It can also be switched
 * to refuse everything with 403 (an expired or revoked SAS), at once or at the moment a given
 * number of requests is in flight.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from '../../src/util/seeded-random.js';

export type ProxyFault = '500' | '503' | '429' | 'reset' | 'stall' | 'stall-body' | 'slow';

export interface FaultRates {
  p500?: number;
  p503?: number;
  p429?: number;
  pReset?: number;
  pStall?: number;
  /** answer with the real status, headers and the first half of the body, then send nothing more */
  pStallBody?: number;
  pSlow?: number;
}

export interface FaultProxyOptions extends FaultRates {
  /** the upstream origin, e.g. http://127.0.0.1:10000 */
  target: string;
  seed: number;
  /** Retry-After sent with 429s, seconds (default 1) */
  retryAfterSec?: number;
  /** a stalled request is dropped (socket destroyed) after this long, ms (default: held until the client gives up) */
  stallMs?: number;
  /** slow bodies are sent in chunks of this size with `slowDelayMs` between them (defaults 8 KiB, 20 ms) */
  slowChunkBytes?: number;
  slowDelayMs?: number;
  /** requests not matching are forwarded unfaulted (default: all may be faulted) */
  filter?: (method: string, path: string) => boolean;
}

export interface FaultProxy {
  /** the proxy's origin, http://127.0.0.1:<port> */
  origin: string;
  /** the same container URL (path and SAS kept) but through the proxy */
  rewrite(url: string): string;
  /**
   * requests seen, and faults injected by kind (plus '403'; 'stall-abandoned', 'stall-body-abandoned'
   * and 'slow-abandoned' count stalled or trickled answers the client gave up on, closing the connection)
   */
  readonly requests: number;
  readonly injected: Readonly<Record<string, number>>;
  /** requests received and not yet fully answered (or closed) */
  readonly inFlight: number;
  /** the value of `requests` when the first 403 was sent (undefined before) */
  readonly requestsAtFirst403: number | undefined;
  /** new fault rates from now on (the PRNG sequence continues) */
  setRates(rates: FaultRates): void;
  /** from now on answer every request with 403 AuthenticationFailed (true) or stop doing so (false) */
  refuseAll(on: boolean): void;
  /**
   * From now on hold every new request unanswered until `n` requests are in flight, then refuse
   * everything with 403 (the held ones first). Resolves with the number in flight at that moment.
   */
  refuseWhenInFlight(n: number): Promise<number>;
  close(): Promise<void>;
}

type Drawn = Exclude<ProxyFault, 'reset'> | 'reset-before' | 'reset-after';

interface Held {
  run(): void;
}

const ERROR_CODE: Record<string, string> = { '500': 'InternalError', '503': 'ServiceUnavailable', '429': 'TooManyRequests', '403': 'AuthenticationFailed' };

function sendError(res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
  const code = ERROR_CODE[String(status)];
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>injected by fault-proxy</Message></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'x-ms-error-code': code, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Starts the proxy on a free loopback port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = mulberry32(options.seed);
  let rates: FaultRates = { ...options };
  let refusing = false;
  let requests = 0;
  let inFlight = 0;
  let requestsAtFirst403: number | undefined;
  let holdTarget: { n: number; held: Held[]; resolve: (inFlight: number) => void } | undefined;
  const injected: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const upstreamAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const count = (kind: string) => (injected[kind] = (injected[kind] ?? 0) + 1);
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** Two draws per request, always, so the fault sequence depends only on the request count. */
  const draw = (): Drawn | undefined => {
    const x = random();
    const second = random();
    const table: [ProxyFault, number | undefined][] = [
      ['500', rates.p500], ['503', rates.p503], ['429', rates.p429], ['reset', rates.pReset], ['stall', rates.pStall],
      ['stall-body', rates.pStallBody], ['slow', rates.pSlow],
    ];
    let acc = 0;
    for (const [kind, p] of table) {
      acc += p ?? 0;
      if (x < acc) return kind !== 'reset' ? kind : second < 0.5 ? 'reset-before' : 'reset-after';
    }
    return undefined;
  };

  /** Forwards the request; `onResponse` decides how the upstream answer reaches the client. */
  const forward = (req: http.IncomingMessage, body: Buffer, onResponse: (up: http.IncomingMessage) => void, onError: () => void): void => {
    const headers = { ...req.headers, host: target.host };
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent: upstreamAgent }, onResponse);
    up.on('error', onError);
    up.end(body);
  };

  const pipeBack = (res: http.ServerResponse) => (up: http.IncomingMessage) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  };

  const trickle = (res: http.ServerResponse) => (up: http.IncomingMessage) => {
    res.on('close', () => { if (!res.writableFinished && !closing) count('slow-abandoned'); });
    res.writeHead(up.statusCode ?? 502, up.headers);
    const chunk = options.slowChunkBytes ?? 8192;
    const delay = options.slowDelayMs ?? 20;
    const parts: Buffer[] = [];
    up.on('data', (d: Buffer) => parts.push(d));
    up.on('end', () => {
      const all = Buffer.concat(parts);
      const step = (off: number): void => {
        if (res.destroyed) return;
        if (off >= all.length) return void res.end();
        res.write(all.subarray(off, off + chunk));
        later(delay, () => step(off + chunk));
      };
      step(0);
    });
  };

  /** The real status, headers and first half of the body; the rest never comes. */
  const stallBody = (res: http.ServerResponse) => (up: http.IncomingMessage) => {
    const parts: Buffer[] = [];
    up.on('data', (d: Buffer) => parts.push(d));
    up.on('end', () => {
      const all = Buffer.concat(parts);
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (all.length < 2) return void res.end(all); // nothing to hold back: the fault did not apply
      count('stall-body');
      res.write(all.subarray(0, all.length >> 1));
      if (options.stallMs !== undefined) later(options.stallMs, () => res.destroy());
      res.on('close', () => { if (!res.writableFinished && !closing && options.stallMs === undefined) count('stall-body-abandoned'); });
    });
  };

  let closing = false;
  const server = http.createServer((req, res) => {
    requests++;
    inFlight++;
    res.on('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (holdTarget) {
        const h = holdTarget;
        h.held.push({ run: () => handle(req, res, Buffer.concat(chunks)) });
        if (inFlight < h.n) return;
        holdTarget = undefined;
        refusing = true;
        h.resolve(inFlight);
        for (const held of h.held) held.run();
        return;
      }
      handle(req, res, Buffer.concat(chunks));
    });
  });

  function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const upstreamFailed = () => { if (!res.headersSent) sendError(res, 500); else res.destroy(); };
    if (refusing) {
      requestsAtFirst403 ??= requests;
      count('403');
      return sendError(res, 403);
    }
    const eligible = !options.filter || options.filter(req.method ?? 'GET', req.url ?? '/');
    const kind = draw();
    if (!eligible || kind === undefined) return forward(req, body, pipeBack(res), upstreamFailed);
    if (kind !== 'stall-body') count(kind.startsWith('reset') ? 'reset' : kind); // stall-body counts itself
    switch (kind) {
      case '500':
      case '503':
        return sendError(res, Number(kind));
      case '429':
        return sendError(res, 429, { 'Retry-After': String(options.retryAfterSec ?? 1) });
      case 'reset-before':
        return void req.socket.destroy();
      case 'reset-after':
        // the request reaches Azurite and takes effect; only the answer is lost
        return forward(req, body, (up) => { up.resume(); up.on('end', () => req.socket.destroy()); }, () => req.socket.destroy());
      case 'stall':
        if (options.stallMs !== undefined) later(options.stallMs, () => req.socket.destroy());
        res.on('close', () => { if (!closing && options.stallMs === undefined) count('stall-abandoned'); });
        return;
      case 'stall-body':
        return forward(req, body, stallBody(res), upstreamFailed);
      case 'slow':
        return forward(req, body, trickle(res), upstreamFailed);
    }
  }

  server.keepAliveTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    rewrite(url: string): string {
      const u = new URL(url);
      const o = new URL(origin);
      u.host = o.host;
      return u.toString();
    },
    get requests() {
      return requests;
    },
    injected,
    get inFlight() {
      return inFlight;
    },
    get requestsAtFirst403() {
      return requestsAtFirst403;
    },
    setRates(r: FaultRates) {
      rates = { ...r };
    },
    refuseAll(on: boolean) {
      refusing = on;
    },
    refuseWhenInFlight(n: number): Promise<number> {
      return new Promise((resolve) => (holdTarget = { n, held: [], resolve }));
    },
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      upstreamAgent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
