import { useEffect, useState } from 'react';
import { View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { getPushPreferences, setPushPreferences } from '../../api/push';
import { Button } from '../../components/Button';
import { ErrorText, Muted } from '../../components/Screen';
import { t } from '../../i18n';
import { pushSupported, registerPush, type PushOutcome } from '../../lib/push';

/**
 * Push notifications: turn them on for this browser (the permission prompt needs this click),
 * and "hide previews", which applies to every device of the account (README, "Push
 * notifications").
 */
export function PushSettings() {
  const [hidden, setHidden] = useState<boolean | null>(null);
  const [status, setStatus] = useState<PushOutcome | null>(null);
  const [busy, setBusy] = useState<'enable' | 'previews' | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    getPushPreferences()
      .then((p) => live && setHidden(p.hide_previews))
      .catch((e: unknown) => live && setError(toApiFailure(e).message));
    return () => {
      live = false;
    };
  }, []);

  const enable = async () => {
    setBusy('enable');
    setError(null);
    try {
      setStatus(await registerPush({ ask: true }));
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setBusy(null);
    }
  };

  const togglePreviews = async () => {
    if (hidden === null) return;
    setBusy('previews');
    setError(null);
    try {
      setHidden((await setPushPreferences({ hide_previews: !hidden })).hide_previews);
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <View style={{ marginTop: 16 }}>
      {pushSupported ? (
        <Button
          variant="secondary"
          icon="notifications-outline"
          title={t('push.enable')}
          testID="profile-push-enable"
          busy={busy === 'enable'}
          onPress={() => void enable()}
        />
      ) : null}
      {status ? <Muted testID="profile-push-status">{t(`push.status.${status}`)}</Muted> : null}
      {hidden !== null ? (
        <>
          <Button
            variant="secondary"
            icon={hidden ? 'eye-outline' : 'eye-off-outline'}
            title={hidden ? t('push.showPreviews') : t('push.hidePreviews')}
            testID="profile-push-previews"
            busy={busy === 'previews'}
            style={{ marginTop: 12 }}
            onPress={() => void togglePreviews()}
          />
          <Muted testID="profile-push-previews-state">
            {hidden ? t('push.previewsHidden') : t('push.previewsShown')}
          </Muted>
        </>
      ) : null}
      <ErrorText testID="profile-push-error">{error}</ErrorText>
    </View>
  );
}
