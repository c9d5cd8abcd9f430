import { useWindowDimensions } from 'react-native';

/** At this width and above the web app shows the agent workspace (list + ticket + context). */
export const WIDE_MIN_WIDTH = 1024;

export function useWideLayout(): boolean {
  return useWindowDimensions().width >= WIDE_MIN_WIDTH;
}
