import type { ClientFrame, ResumePosition, ServerFrame } from '../api/types';
import type { ConnectionStatus } from '../state/connection';

/** The part of the browser/React Native WebSocket this client uses (a fake implements it in tests). */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface SocketOptions {
  url: () => string;
  /** The current access token, or null when signed out. */
  getToken: () => string | null;
  /** Refreshes the session after a 4401 close; resolves to the new token, or null when signed out. */
  reauthenticate: () => Promise<string | null>;
  /**
   * Last seen seq (and change) per conversation, sent as the `auth` frame's `resume` on every (re)connect: the
   * server replays from there before any live event (race-free, see docs/protocol.md).
   */
  getPositions: () => Record<string, ResumePosition>;
  onFrame: (frame: ServerFrame) => void;
  onStatus: (status: ConnectionStatus, info: { attempt: number; retryAt: number | null }) => void;
  /** Authenticated (the replay is queued ahead of everything else): the outbox may flush. */
  onReady?: () => void;
  createWebSocket?: (url: string) => WebSocketLike;
  random?: () => number;
  now?: () => number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export const OPEN = 1;

/** Close codes from docs/protocol.md. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  connectionCap: 1008,
  tooBig: 1009,
  slowConsumer: 1013,
  badToken: 4401,
  authTimeout: 4408,
} as const;

/** The first frame of a connection; `resume` is left out when there is nothing to resume. */
export function authFrame(token: string, positions: Record<string, ResumePosition>): ClientFrame {
  return Object.keys(positions).length
    ? { type: 'auth', token, resume: positions }
    : { type: 'auth', token };
}

/**
 * Exponential backoff with "equal jitter": half the capped exponential delay is fixed, the other
 * half random, so clients that dropped together don't come back together and never retry at 0 ms.
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = 500, maxMs = 30_000) {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(capped / 2 + random() * (capped / 2));
}

/**
 * One WebSocket client for the app: connect, `auth` first (carrying the last seq of each
 * conversation to resume from), heartbeats, reconnect with backoff and jitter.
 */
export class RealtimeSocket {
  private ws: WebSocketLike | null = null;
  private running = false;
  private ready = false;
  private networkOnline = true;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private pongTimer: ReturnType<typeof setTimeout> | null = null;
  private nonce = 0;
  private status: ConnectionStatus = 'idle';
  private readonly o: Required<
    Pick<
      SocketOptions,
      'random' | 'now' | 'pingIntervalMs' | 'pongTimeoutMs' | 'backoffBaseMs' | 'backoffMaxMs'
    >
  > &
    SocketOptions;

  constructor(options: SocketOptions) {
    this.o = {
      random: Math.random,
      now: Date.now,
      pingIntervalMs: 20_000,
      pongTimeoutMs: 10_000,
      backoffBaseMs: 500,
      backoffMaxMs: 30_000,
      ...options,
    };
  }

  get isReady(): boolean {
    return this.ready;
  }

  get currentStatus(): ConnectionStatus {
    return this.status;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
  }

  stop(): void {
    this.running = false;
    this.clearTimers();
    this.teardown(CLOSE.normal);
    this.setStatus('idle', null);
  }

  /** Sends a frame if the connection is authenticated; returns whether it went out. */
  send(frame: ClientFrame): boolean {
    if (!this.ready || !this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** A refreshed access token extends the live session without reconnecting. */
  tokenRefreshed(token: string): void {
    if (this.ws && this.ws.readyState === OPEN)
      this.ws.send(JSON.stringify({ type: 'auth', token }));
  }

  /** The device's network came or went (browser `online`/`offline`). */
  setNetworkOnline(online: boolean): void {
    if (online === this.networkOnline) return;
    this.networkOnline = online;
    if (!this.running) return;
    if (!online) {
      // Don't wait for a heartbeat to notice: sends go to the outbox until we're back.
      this.clearTimers();
      this.teardown(CLOSE.normal);
      this.setStatus('offline', null);
    } else {
      this.clearRetry();
      this.attempt = 0;
      this.connect();
    }
  }

  /** Reconnects now (e.g. the app came to the foreground), skipping any backoff wait. */
  reconnectNow(): void {
    if (!this.running || !this.networkOnline || this.ready) return;
    this.clearRetry();
    this.connect();
  }

  /**
   * Opens a fresh connection even when this one is fine: the server decides at sign-in what a
   * connection receives (internal notes for staff), so a promotion needs a new one.
   */
  restart(): void {
    if (!this.running || !this.networkOnline) return;
    this.clearRetry();
    this.attempt = 0;
    this.connect();
  }

  private connect(): void {
    if (!this.running) return;
    this.teardown(CLOSE.normal);
    if (!this.networkOnline) {
      this.setStatus('offline', null);
      return;
    }
    const token = this.o.getToken();
    if (!token) {
      this.stop();
      return;
    }
    this.setStatus(this.attempt === 0 ? 'connecting' : 'unreachable', null);
    let ws: WebSocketLike;
    try {
      const factory =
        this.o.createWebSocket ?? ((u: string) => new WebSocket(u) as unknown as WebSocketLike);
      ws = factory(this.o.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      const t = this.o.getToken();
      if (!t) return this.stop();
      ws.send(JSON.stringify(authFrame(t, this.o.getPositions())));
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      this.handleFrame(frame);
    };
    ws.onerror = () => {
      // onclose follows and decides what to do.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handleClose(ev?.code ?? 1006);
    };
  }

  private handleFrame(frame: ServerFrame): void {
    if (frame.type === 'pong') {
      if (this.pongTimer) clearTimeout(this.pongTimer);
      this.pongTimer = null;
      return;
    }
    if (frame.type === 'ready') {
      this.ready = true;
      this.attempt = 0;
      this.startHeartbeat();
      this.setStatus('online', null);
      this.o.onFrame(frame);
      this.o.onReady?.();
      return;
    }
    this.o.onFrame(frame);
  }

  private handleClose(code: number): void {
    const wasReady = this.ready;
    this.ready = false;
    this.clearHeartbeat();
    if (!this.running) return;
    if (!this.networkOnline) {
      this.setStatus('offline', null);
      return;
    }
    if (code === CLOSE.badToken) {
      this.setStatus('reauthenticating', null);
      this.o
        .reauthenticate()
        .then((token) => {
          if (!this.running) return;
          if (!token) return this.stop();
          this.attempt = 0;
          this.connect();
        })
        .catch(() => this.running && this.scheduleReconnect());
      return;
    }
    if (wasReady && code !== CLOSE.connectionCap) {
      // A working connection dropped (server restart, slow consumer): come back quickly once.
      this.attempt = 0;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.clearRetry();
    const delay = backoffDelay(
      this.attempt,
      this.o.random,
      this.o.backoffBaseMs,
      this.o.backoffMaxMs,
    );
    this.attempt += 1;
    const retryAt = this.o.now() + delay;
    this.setStatus(this.attempt <= 1 ? 'connecting' : 'unreachable', retryAt);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private startHeartbeat(): void {
    this.clearHeartbeat();
    this.pingTimer = setInterval(() => {
      if (!this.ws || this.ws.readyState !== OPEN) return;
      this.nonce += 1;
      this.ws.send(JSON.stringify({ type: 'ping', nonce: String(this.nonce) }));
      if (!this.pongTimer) {
        this.pongTimer = setTimeout(() => {
          // No pong: the link is dead even if the socket doesn't know it yet.
          this.pongTimer = null;
          const ws = this.ws;
          this.ws = null;
          if (ws) {
            ws.onclose = null;
            try {
              ws.close(CLOSE.normal);
            } catch {
              // already closed
            }
          }
          this.handleClose(1006);
        }, this.o.pongTimeoutMs);
      }
    }, this.o.pingIntervalMs);
  }

  private clearHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pingTimer = null;
    this.pongTimer = null;
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private clearTimers(): void {
    this.clearRetry();
    this.clearHeartbeat();
  }

  private teardown(code: number): void {
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onerror = null;
      ws.onclose = null;
      try {
        ws.close(code);
      } catch {
        // already closed
      }
    }
  }

  private setStatus(status: ConnectionStatus, retryAt: number | null): void {
    this.status = status;
    this.o.onStatus(status, { attempt: this.attempt, retryAt });
  }
}
