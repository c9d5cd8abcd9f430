import { combineReducers, configureStore } from '@reduxjs/toolkit';

import attention from './attention';
import auth from './auth';
import connection from './connection';
import conversations from './conversations';
import messages from './messages';
import here from './here';
import notifications from './notifications';
import people from './people';
import tickets from './tickets';
import views from './views';

export const rootReducer = combineReducers({
  attention,
  auth,
  connection,
  conversations,
  here,
  messages,
  notifications,
  people,
  tickets,
  views,
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
