import { useEffect, useState } from 'react';

import { listMutes, setMuted } from '../api/push';
import type { Id } from '../api/types';
import { t } from '../i18n';
import { Button } from './Button';

/**
 * "Mute" / "Unmute" a conversation's pushes on every device of the user (the server keeps the
 * mute; mentions and assignments still come). Hidden until the current state is known, so it
 * never offers the wrong action.
 */
export function MuteButton({ conversationId }: { conversationId: Id }) {
  const [muted, setMutedState] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    listMutes()
      .then((ids) => live && setMutedState(ids.includes(conversationId)))
      .catch(() => live && setMutedState(null));
    return () => {
      live = false;
    };
  }, [conversationId]);
  if (muted === null) return null;
  const toggle = async () => {
    setBusy(true);
    try {
      await setMuted(conversationId, !muted);
      setMutedState(!muted);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      compact
      variant="secondary"
      icon={muted ? 'notifications-off-outline' : 'notifications-outline'}
      title={muted ? t('push.unmute') : t('push.mute')}
      accessibilityLabel={muted ? t('push.unmuteHint') : t('push.muteHint')}
      testID="conversation-mute"
      disabled={busy}
      onPress={() => void toggle().catch(() => undefined)}
    />
  );
}
