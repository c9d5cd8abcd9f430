import { combineReducers, configureStore } from '@reduxjs/toolkit';

import auth from './auth';
import connection from './connection';
import conversations from './conversations';
import messages from './messages';
import notifications from './notifications';
import people from './people';
import tickets from './tickets';

export const rootReducer = combineReducers({
  auth,
  connection,
  conversations,
  messages,
  notifications,
  people,
  tickets,
});

export function makeStore(preloaded?: Partial<RootState>) {
  return configureStore({
    reducer: rootReducer,
    preloadedState: preloaded as RootState | undefined,
  });
}

export type RootState = ReturnType<typeof rootReducer>;
export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
