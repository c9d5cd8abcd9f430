import {
  DarkTheme,
  DefaultTheme,
  NavigationContainer,
  type Theme as NavTheme,
} from '@react-navigation/native';
import { StatusBar } from 'expo-status-bar';
import { useEffect, useMemo } from 'react';
import { ActivityIndicator, StyleSheet, View } from 'react-native';
import { SafeAreaProvider } from 'react-native-safe-area-context';
import { Provider } from 'react-redux';

import { AttentionEffects } from './components/Attention';
import { ConnectionBanner } from './components/ConnectionBanner';
import { t } from './i18n';
import { registerPush, showPushesInForeground } from './lib/push';
import { followDeviceOffset } from './lib/quietHours';
import { registerServiceWorker } from './lib/pwa';
import { linking } from './navigation/linking';
import { RootNavigator } from './navigation/RootNavigator';
import { CallOverlay } from './screens/Call/CallOverlay';
import { RealtimeProvider } from './realtime/context';
import { createRealtime, type Realtime } from './realtime';
import { useAppDispatch, useAppSelector } from './state/hooks';
import { conversationsApi } from './state/queries/conversations';
import { notificationsApi } from './state/queries/notifications';
import { peopleApiSlice } from './state/queries/people';
import { bootstrapSession } from './state/session';
import { makeStore } from './state/store';
import { ThemeProvider, useTheme } from './theme';

const store = makeStore();
const realtime = createRealtime(store);
registerServiceWorker();
showPushesInForeground();

function Root({ rt }: { rt: Realtime }) {
  const dispatch = useAppDispatch();
  const status = useAppSelector((s) => s.auth.status);
  const userId = useAppSelector((s) => s.auth.user?.id);
  const theme = useTheme();

  useEffect(() => {
    void bootstrapSession(dispatch);
  }, [dispatch]);

  useEffect(() => {
    if (status !== 'signedIn' || userId == null) return;
    // Held for the whole session: frames update these caches, a reconnect refetches them.
    const subscriptions = [
      dispatch(conversationsApi.endpoints.getConversations.initiate()),
      dispatch(notificationsApi.endpoints.getNotifications.initiate()),
      dispatch(peopleApiSlice.endpoints.getContacts.initiate()),
      dispatch(peopleApiSlice.endpoints.getFriendRequests.initiate()),
    ];
    void rt.start();
    // The browser's push subscription (web) or the Expo push token (Android) follows the
    // signed-in user (when notifications are allowed already; never a prompt without a click).
    void registerPush().catch(() => undefined);
    // "Do not disturb" follows this device's time zone (daylight saving, travel).
    void followDeviceOffset().catch(() => undefined);
    return () => {
      rt.stop();
      subscriptions.forEach((s) => s.unsubscribe());
    };
  }, [status, userId, dispatch, rt]);

  const navTheme: NavTheme = useMemo(() => {
    const base = theme.dark ? DarkTheme : DefaultTheme;
    return {
      ...base,
      colors: {
        ...base.colors,
        primary: theme.colors.primary,
        background: theme.colors.background,
        card: theme.colors.surface,
        text: theme.colors.text,
        border: theme.colors.border,
      },
    };
  }, [theme]);

  if (status === 'loading') {
    return (
      <View
        testID="app-loading"
        style={[styles.center, { backgroundColor: theme.colors.background }]}
      >
        <ActivityIndicator color={theme.colors.primary} />
      </View>
    );
  }
  return (
    <View style={[styles.fill, { backgroundColor: theme.colors.background }]}>
      <StatusBar style={theme.dark ? 'light' : 'dark'} />
      <ConnectionBanner />
      {status === 'signedIn' ? <AttentionEffects /> : null}
      <NavigationContainer
        theme={navTheme}
        linking={linking}
        documentTitle={{
          formatter: (options) => `${options?.title ?? t('app.name')} · ${t('app.name')}`,
        }}
      >
        <RootNavigator />
      </NavigationContainer>
      {status === 'signedIn' ? <CallOverlay /> : null}
    </View>
  );
}

export default function App() {
  return (
    <SafeAreaProvider>
      <Provider store={store}>
        <ThemeProvider>
          <RealtimeProvider value={realtime}>
            <Root rt={realtime} />
          </RealtimeProvider>
        </ThemeProvider>
      </Provider>
    </SafeAreaProvider>
  );
}

const styles = StyleSheet.create({
  fill: { flex: 1 },
  center: { flex: 1, alignItems: 'center', justifyContent: 'center' },
});
