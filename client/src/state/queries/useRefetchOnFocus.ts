import { useFocusEffect } from '@react-navigation/native';
import { useCallback } from 'react';

/**
 * Loads a screen's data again each time the screen comes into view, the first time included
 * (the answer may be cached from before, e.g. by the session's subscriptions). Call it after the
 * query hook: its subscription is then started, and a request already in flight is not repeated.
 */
export function useRefetchOnFocus(refetch: () => unknown, skip = false): void {
  useFocusEffect(
    useCallback(() => {
      if (!skip) refetch();
    }, [refetch, skip]),
  );
}
