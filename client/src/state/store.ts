import { combineReducers, configureStore, createListenerMiddleware } from '@reduxjs/toolkit';

import attention from './attention';
import auth, { signedOut } from './auth';
import call from './call';
import connection from './connection';
import conversations from './conversations';
import messages from './messages';
import here from './here';
import presence from './presence';
import unread from './unread';
import { api } from './queries/api';
import views from './views';

/**
 * Server data lives in RTK Query's cache (`api`, see `queries/`); the slices hold what the
 * device keeps itself (session, connection, presence, views, preferences) and the conversations
 * and messages the socket streams into (merged by seq with the pages `queries/conversations.ts`
 * loads).
 */
export const rootReducer = combineReducers({
  [api.reducerPath]: api.reducer,
  attention,
  auth,
  call,
  connection,
  conversations,
  here,
  messages,
  presence,
  unread,
  views,
});

export function makeStore(preloaded?: Partial<RootState>) {
  // Signed out: every cached server answer goes with the user, as the slices' state does.
  const signOut = createListenerMiddleware();
  signOut.startListening({
    actionCreator: signedOut,
    effect: (_, { dispatch }) => {
      dispatch(api.util.resetApiState());
    },
  });
  return configureStore({
    reducer: rootReducer,
    preloadedState: preloaded as RootState | undefined,
    middleware: (getDefault) => getDefault().prepend(signOut.middleware).concat(api.middleware),
    // RTK Query's cache updates reach subscribers together at the end of the tick, not on the
    // next animation frame: no frame timer is left behind, and a frame's change shows at once.
    enhancers: (getDefault) => getDefault({ autoBatch: { type: 'tick' } }),
  });
}

export type RootState = ReturnType<typeof rootReducer>;
export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
