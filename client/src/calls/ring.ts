import { Vibration } from 'react-native';

/** The ring while a call rings (Android: the phone vibrates for an incoming call). */
export function startRing(kind: 'incoming' | 'outgoing'): () => void {
  if (kind !== 'incoming') return () => undefined;
  Vibration.vibrate([0, 800, 1200], true);
  return () => Vibration.cancel();
}
