import { createContext, useContext } from 'react';

import type { Realtime } from './index';

const RealtimeContext = createContext<Realtime | null>(null);

export const RealtimeProvider = RealtimeContext.Provider;

export function useRealtime(): Realtime {
  const r = useContext(RealtimeContext);
  if (!r) throw new Error('RealtimeProvider missing');
  return r;
}
