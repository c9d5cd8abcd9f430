import type { StringKey } from '../i18n';
import type { PushOutcome } from './pushOutcome';

/** The browser's wording for how turning push on went (lib/push.web.ts). */
export function pushStatusKey(outcome: PushOutcome): StringKey {
  return `push.status.${outcome}`;
}
