import { useFocusEffect } from '@react-navigation/native';
import { useCallback, useRef } from 'react';

/**
 * Loads a screen's data again each time the screen comes back into view (the first time, the
 * query's own mount does it).
 */
export function useRefetchOnFocus(refetch: () => unknown, skip = false): void {
  const first = useRef(true);
  useFocusEffect(
    useCallback(() => {
      if (first.current || skip) {
        first.current = false;
        return;
      }
      refetch();
    }, [refetch, skip]),
  );
}
