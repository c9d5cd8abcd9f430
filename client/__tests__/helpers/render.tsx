import { NavigationContainer } from '@react-navigation/native';
import { createNativeStackNavigator } from '@react-navigation/native-stack';
import type { ComponentType, ReactElement } from 'react';
import { Provider } from 'react-redux';

import type { Realtime } from '../../src/realtime';
import { RealtimeProvider } from '../../src/realtime/context';
import { makeStore, type AppStore } from '../../src/state/store';
import { ThemeProvider } from '../../src/theme';
import { renderUi } from './ui';

const NO_STREAMS = { local: null, remote: null };

export function fakeRealtime(): jest.Mocked<Realtime> {
  return {
    start: jest.fn(async (): Promise<void> => undefined),
    stop: jest.fn(),
    send: jest.fn(async (_c: number, _b: string, _o?: object): Promise<void> => undefined),
    retry: jest.fn(),
    discard: jest.fn(),
    typing: jest.fn(),
    read: jest.fn(),
    here: jest.fn(),
    calls: {
      supported: false,
      canShareScreen: false,
      call: jest.fn(),
      accept: jest.fn(),
      hangup: jest.fn(),
      setMuted: jest.fn(),
      setCameraOff: jest.fn(),
      setSharing: jest.fn(async (): Promise<void> => undefined),
      onFrame: jest.fn(),
      onReconnected: jest.fn(),
      streams: jest.fn(() => NO_STREAMS),
      subscribe: jest.fn(() => () => undefined),
    } as jest.Mocked<Realtime>['calls'],
  };
}

export async function renderWithApp(
  ui: ReactElement,
  {
    store = makeStore(),
    realtime = fakeRealtime(),
  }: { store?: AppStore; realtime?: Realtime } = {},
) {
  await renderUi(
    <Provider store={store}>
      <ThemeProvider override="light">
        <RealtimeProvider value={realtime}>{ui}</RealtimeProvider>
      </ThemeProvider>
    </Provider>,
  );
  return { store, realtime };
}

const Stack = createNativeStackNavigator();
const Placeholder = () => null;

/** Renders one screen inside a navigator, with `params`, so hooks like useNavigation work. */
export async function renderScreen(
  Screen: ComponentType<any>,
  opts: { store?: AppStore; realtime?: Realtime; params?: object } = {},
) {
  return renderWithApp(
    <NavigationContainer>
      <Stack.Navigator>
        <Stack.Screen name="Under test" component={Screen} initialParams={opts.params} />
        {['TicketDetail', 'Chat', 'NewTicket', 'Register', 'SignIn'].map((name) => (
          <Stack.Screen key={name} name={name} component={Placeholder} />
        ))}
      </Stack.Navigator>
    </NavigationContainer>,
    opts,
  );
}
