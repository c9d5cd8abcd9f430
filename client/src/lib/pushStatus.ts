import type { StringKey } from '../i18n';
import type { PushOutcome } from './pushOutcome';

/** Android's wording for how turning push on went (lib/push.ts). */
export function pushStatusKey(outcome: PushOutcome): StringKey {
  return `push.android.${outcome}`;
}
