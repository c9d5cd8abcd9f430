import { useEffect, useRef, useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { t } from '../i18n';
import {
  notificationPermission,
  pageIsWatched,
  playChime,
  requestNotificationPermission,
  setTabTitle,
  showDesktopNotification,
} from '../lib/attention';
import { loadAttention, setAttention, shouldAlert, tabTitle } from '../state/attention';
import { useAppDispatch, useAppSelector } from '../state/hooks';
import { useTheme } from '../theme';
import { Button } from './Button';
import { useGetNotificationsQuery } from '../state/queries/notifications';
import type { Notification } from '../api/types';

const NO_NOTIFICATIONS: Notification[] = [];

/**
 * Runs while signed in: the tab title carries the unread count, and each new notification
 * (a new ticket in the agent's views, a reply in their tickets, an assignment, a mention) raises
 * a desktop notification and the chime when the agent opted in, unless they are looking at it.
 */
export function AttentionEffects() {
  const dispatch = useAppDispatch();
  const me = useAppSelector((s) => s.auth.user);
  const prefs = useAppSelector((s) => s.attention);
  const { data } = useGetNotificationsQuery();
  const items = data?.items ?? NO_NOTIFICATIONS;
  const unreadCount = data?.unread_count ?? 0;
  const loaded = !!data;
  const active = useAppSelector((s) => s.conversations.activeId);
  const seen = useRef<Set<number> | null>(null);

  useEffect(() => {
    if (me && prefs.userId !== me.id) void dispatch(loadAttention(me.id));
  }, [dispatch, me, prefs.userId]);

  useEffect(() => {
    setTabTitle(tabTitle(unreadCount));
    return () => setTabTitle(tabTitle(0));
  }, [unreadCount]);

  useEffect(() => {
    // What was there when the app started is old news.
    if (!seen.current) {
      if (loaded) seen.current = new Set(items.map((n) => n.id));
      return;
    }
    for (const n of items) {
      if (seen.current.has(n.id)) continue;
      seen.current.add(n.id);
      if (!shouldAlert(n, { activeConversationId: active, watching: pageIsWatched() })) continue;
      if (prefs.desktop) showDesktopNotification(n.title, n.body, `switchboard-${n.id}`);
      if (prefs.sound) playChime();
    }
  }, [items, loaded, active, prefs.desktop, prefs.sound]);
  return null;
}

/** The opt-in: desktop notifications (asks the browser) and the chime. */
export function AttentionSettings() {
  const dispatch = useAppDispatch();
  const { colors } = useTheme();
  const prefs = useAppSelector((s) => s.attention);
  const [permission, setPermission] = useState(notificationPermission());
  if (permission === 'unsupported') return null;
  const desktopOn = prefs.desktop && permission === 'granted';
  const toggleDesktop = async () => {
    if (desktopOn) {
      void dispatch(setAttention({ desktop: false }));
      return;
    }
    const p = permission === 'granted' ? permission : await requestNotificationPermission();
    setPermission(p);
    if (p === 'granted') void dispatch(setAttention({ desktop: true }));
  };
  return (
    <View testID="attention-settings" style={[styles.box, { borderColor: colors.border }]}>
      <Text style={{ color: colors.text, fontWeight: '600' }}>{t('attention.title')}</Text>
      <Text testID="attention-desktop-state" style={{ color: colors.textMuted }}>
        {permission === 'denied'
          ? t('attention.blocked')
          : desktopOn
            ? t('attention.desktopOn')
            : t('attention.desktopOff')}
      </Text>
      <View style={styles.row}>
        <Button
          compact
          variant="secondary"
          testID="attention-desktop"
          title={desktopOn ? t('attention.turnOff') : t('attention.turnOn')}
          disabled={permission === 'denied'}
          onPress={() => void toggleDesktop()}
        />
        <Button
          compact
          variant="secondary"
          testID="attention-sound"
          title={prefs.sound ? t('attention.soundOff') : t('attention.soundOn')}
          onPress={() => {
            const sound = !prefs.sound;
            void dispatch(setAttention({ sound }));
            if (sound) playChime();
          }}
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  box: { borderWidth: 1, borderRadius: 8, padding: 10, gap: 6, marginBottom: 12 },
  row: { flexDirection: 'row', gap: 8 },
});
