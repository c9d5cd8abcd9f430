import AsyncStorage from '@react-native-async-storage/async-storage';
import { AppState } from 'react-native';

import { getIceServers } from '../api/calls';
import { refreshSession } from '../api/client';
import { type CallEngine, createCallEngine } from '../calls/engine';
import { media } from '../calls/media';
import * as convApi from '../api/conversations';
import * as authApi from '../api/auth';
import { getSession, onSessionChange, updateSessionUser } from '../api/session';
import type { FileInfo, HereActivity, Id, ResumePosition } from '../api/types';
import { wsUrl } from '../config';
import { subscribeNetwork } from '../lib/network';
import { isStaffRole, userUpdated } from '../state/auth';
import { connectionChanged } from '../state/connection';
import { readReceived, typingExpired } from '../state/conversations';
import { hereCleared, hereExpired } from '../state/here';
import { changesCached, messagesCached, outboxChanged } from '../state/messages';
import { api } from '../state/queries/api';
import type { AppStore } from '../state/store';
import { handleServerFrame } from './dispatcher';
import { changeCacheKey, messageCacheKey, readCache, readChanges, snapshot } from './messageCache';
import { Outbox } from './outbox';
import { RealtimeSocket } from './socket';

/**
 * Last seq seen per conversation, and the last change applied: what `resume` asks the server to
 * continue from. Changes matter only for messages we hold: a conversation with messages in the
 * store asks for the changes since its position (from 0 when we have none yet: they are replayed
 * once, in order, onto what we hold); one without sends its position only when known (messages
 * are fetched as they are now).
 */
export function resumePositions(
  state: ReturnType<AppStore['getState']>,
): Record<string, ResumePosition> {
  const seqs: Record<string, number> = {};
  for (const c of Object.values(state.conversations.byId)) seqs[String(c.id)] = c.last_seq;
  for (const [cid, e] of Object.entries(state.messages.byConversation)) {
    const last = e.items.length ? e.items[e.items.length - 1].seq : 0;
    if (last > (seqs[cid] ?? 0)) seqs[cid] = last;
  }
  const positions: Record<string, ResumePosition> = {};
  for (const [cid, seq] of Object.entries(seqs)) {
    const held = (state.messages.byConversation[cid]?.items.length ?? 0) > 0;
    const change = state.messages.lastChange[cid] ?? (held ? 0 : undefined);
    positions[cid] = change === undefined ? seq : { seq, change };
  }
  return positions;
}

export interface Realtime {
  start(): Promise<void>;
  stop(): void;
  send(
    conversationId: Id,
    body: string,
    opts?: { kind?: 'text' | 'note'; attachments?: FileInfo[]; replyTo?: Id },
  ): Promise<void>;
  retry(clientId: string): void;
  discard(clientId: string): void;
  typing(conversationId: Id): void;
  read(conversationId: Id, seq: number): void;
  /** Staff on a ticket: tell the other staff we are looking at it (or left it). */
  here(conversationId: Id, activity: 'viewing' | 'left'): void;
  /** Voice and video calls, signalled over this socket. */
  calls: CallEngine;
}

const TYPING_THROTTLE_MS = 3000;
/** "Replying" turns back into "viewing" after this long without typing. */
const REPLYING_FOR_MS = 8000;
/** Our state is repeated this often, so others' entries (60 s) never lapse while we stay. */
const HERE_REPEAT_MS = 20_000;
/** At most one unread recount a second, however many frames ask for one. */
const UNREAD_REFRESH_MS = 1000;

export function createRealtime(store: AppStore): Realtime {
  let socket: RealtimeSocket | null = null;
  let outbox: Outbox | null = null;
  let unsubs: (() => void)[] = [];
  let ticker: ReturnType<typeof setInterval> | null = null;
  const lastTyping = new Map<Id, number>();
  let firstReady = true;
  // What we last told others, per conversation we are on: activity and when.
  const myHere = new Map<Id, { activity: 'viewing' | 'replying'; at: number; until?: number }>();
  const tellHere = (cid: Id, activity: HereActivity) => {
    socket?.send({ type: 'here', conversation_id: cid, activity });
    if (activity === 'left') myHere.delete(cid);
    else
      myHere.set(cid, {
        activity,
        at: Date.now(),
        until: activity === 'replying' ? Date.now() + REPLYING_FOR_MS : undefined,
      });
  };

  const calls = createCallEngine({
    send: (frame) => socket?.send(frame) ?? false,
    dispatch: store.dispatch,
    getState: store.getState,
    iceServers: async () =>
      (await getIceServers()).ice_servers.map((s) => ({
        urls: s.urls,
        username: s.username ?? undefined,
        credential: s.credential ?? undefined,
      })),
    media,
  });

  return {
    calls,
    async start() {
      const session = getSession();
      if (!session || socket) return;
      const ob = new Outbox({
        storage: AsyncStorage,
        key: `switchboard.outbox.v1.${session.user.id}`,
        send: (frame) => socket?.send(frame) ?? false,
        onChange: (items) => store.dispatch(outboxChanged(items)),
      });
      outbox = ob;
      await ob.load();
      // The history kept on the device: readable while offline, replaced by the server's.
      const cacheKey = messageCacheKey(session.user.id);
      store.dispatch(messagesCached(await readCache(AsyncStorage, cacheKey)));
      const changesKey = changeCacheKey(session.user.id);
      store.dispatch(changesCached(await readChanges(AsyncStorage, changesKey)));
      let saved = store.getState().messages.byConversation;
      let saveTimer: ReturnType<typeof setTimeout> | null = null;
      unsubs.push(
        store.subscribe(() => {
          const now = store.getState().messages.byConversation;
          if (now === saved || saveTimer) return;
          saveTimer = setTimeout(() => {
            saveTimer = null;
            saved = store.getState().messages.byConversation;
            if (getSession()?.user.id !== session.user.id) return; // signed out meanwhile
            const now = store.getState().messages;
            // The positions only once the messages they were applied to are stored.
            void AsyncStorage.setItem(cacheKey, JSON.stringify(snapshot(now)))
              .then(() => AsyncStorage.setItem(changesKey, JSON.stringify(now.lastChange)))
              .catch(() => undefined);
          }, 1000);
        }),
        () => {
          if (saveTimer) clearTimeout(saveTimer);
        },
      );
      // Frames in bursts (a busy queue) ask once a second at most.
      let unreadTimer: ReturnType<typeof setTimeout> | null = null;
      const refreshUnread = () => {
        if (unreadTimer) return;
        unreadTimer = setTimeout(() => {
          unreadTimer = null;
          store.dispatch(api.util.invalidateTags(['Unread']));
        }, UNREAD_REFRESH_MS);
      };
      unsubs.push(() => {
        if (unreadTimer) clearTimeout(unreadTimer);
      });
      const s = new RealtimeSocket({
        url: wsUrl,
        getToken: () => getSession()?.accessToken ?? null,
        reauthenticate: async () => (await refreshSession().catch(() => null))?.accessToken ?? null,
        getPositions: () => resumePositions(store.getState()),
        onFrame: (frame) =>
          handleServerFrame(frame, {
            dispatch: store.dispatch,
            getState: store.getState,
            outbox: ob,
            refreshUnread,
            onCall: (frame) => calls.onFrame(frame),
            onHereNewcomer: (cid) => {
              const mine = myHere.get(cid);
              if (mine) tellHere(cid, mine.activity);
            },
            onAccountUpdated: ({ roleChanged, wasStaff }) => {
              const user = store.getState().auth.user;
              if (user) updateSessionUser(user); // a reload starts with the new role too
              if (isStaffRole(user?.role)) store.dispatch(api.util.invalidateTags(['Teams']));
              // Promoted: a new connection receives what staff get (internal notes). (A demoted
              // user's connections are closed by the server.)
              if (roleChanged && !wasStaff && isStaffRole(user?.role)) s.restart();
              else if (roleChanged) store.dispatch(api.util.invalidateTags(['Conversations']));
            },
          }),
        onStatus: (status, info) => store.dispatch(connectionChanged({ status, ...info })),
        onReady: () => {
          ob.flush();
          calls.onReconnected();
          // Others dropped us when the link went: say again where we are.
          store.dispatch(hereCleared());
          myHere.forEach((h, cid) => tellHere(cid, h.activity));
          if (!firstReady) {
            // After a reconnect, re-sync what frames don't replay (lists, counts, requests,
            // and our own account: a role change may have happened while we were away).
            authApi
              .me()
              .then((u) => {
                store.dispatch(userUpdated(u));
                updateSessionUser(u);
              })
              .catch(() => undefined);
            store.dispatch(
              api.util.invalidateTags([
                'Conversations',
                'Notifications',
                'Contacts',
                'FriendRequests',
                'Unread',
              ]),
            );
          }
          firstReady = false;
        },
      });
      socket = s;
      let lastToken = session.accessToken;
      unsubs.push(
        onSessionChange((next) => {
          if (next && next.accessToken !== lastToken) {
            lastToken = next.accessToken;
            s.tokenRefreshed(next.accessToken);
          }
        }),
      );
      unsubs.push(subscribeNetwork((online) => s.setNetworkOnline(online)));
      // Back in the foreground (phones suspend sockets): reconnect now instead of after a backoff.
      const appState = AppState.addEventListener('change', (st) => {
        if (st === 'active') s.reconnectNow();
      });
      unsubs.push(() => appState.remove());
      ticker = setInterval(() => {
        ob.tick();
        if (Object.keys(store.getState().conversations.typing).length) {
          store.dispatch(typingExpired({ now: Date.now() }));
        }
        const now = Date.now();
        if (Object.keys(store.getState().here.byConversation).length) {
          store.dispatch(hereExpired({ now }));
        }
        myHere.forEach((h, cid) => {
          if (h.until && now >= h.until) tellHere(cid, 'viewing');
          else if (now - h.at >= HERE_REPEAT_MS) tellHere(cid, h.activity);
        });
      }, 1000);
      s.start();
    },
    stop() {
      calls.onReconnected();
      socket?.stop();
      socket = null;
      outbox = null;
      unsubs.forEach((u) => u());
      unsubs = [];
      if (ticker) clearInterval(ticker);
      ticker = null;
      firstReady = true;
      myHere.clear();
    },
    async send(conversationId, body, opts) {
      if (!outbox) throw new Error('realtime not started');
      lastTyping.delete(conversationId);
      await outbox.enqueue({
        conversation_id: conversationId,
        body,
        kind: opts?.kind,
        attachments: opts?.attachments,
        replyTo: opts?.replyTo,
      });
    },
    retry(clientId) {
      outbox?.retry(clientId);
    },
    discard(clientId) {
      outbox?.discard(clientId);
    },
    typing(conversationId) {
      const now = Date.now();
      if (now - (lastTyping.get(conversationId) ?? 0) < TYPING_THROTTLE_MS) return;
      lastTyping.set(conversationId, now);
      socket?.send({ type: 'typing', conversation_id: conversationId });
      if (myHere.has(conversationId)) tellHere(conversationId, 'replying');
    },
    here(conversationId, activity) {
      if (activity === 'left' && !myHere.has(conversationId)) return;
      tellHere(conversationId, activity);
    },
    read(conversationId, seq) {
      const me = store.getState().auth.user?.id;
      if (me == null) return;
      const c = store.getState().conversations.byId[String(conversationId)];
      if (c && seq <= c.last_read_seq) return;
      store.dispatch(readReceived({ conversationId, userId: me, seq, mine: true }));
      if (!socket?.send({ type: 'read', conversation_id: conversationId, seq })) {
        convApi.markRead(conversationId, seq).catch(() => undefined);
      }
    },
  };
}
