import { useEffect, useState } from 'react';
import { View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { getPushPreferences, setPushPreferences } from '../../api/push';
import type { PushPreferences } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText, Muted } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { pushSupported, registerPush, type PushOutcome } from '../../lib/push';
import { pushStatusKey } from '../../lib/pushStatus';
import { deviceOffset, offsetLabel, toClock, toMinutes } from '../../lib/quietHours';

/**
 * Push notifications: turn them on for this browser or phone (the permission prompt needs this
 * click), and "hide previews" and "do not disturb" (a daily quiet period in this device's time
 * zone), which apply to every device of the account (README, "Push notifications").
 */
export function PushSettings() {
  const [prefs, setPrefs] = useState<PushPreferences | null>(null);
  const [status, setStatus] = useState<PushOutcome | null>(null);
  const [busy, setBusy] = useState<'enable' | 'previews' | 'quiet' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [from, setFrom] = useState('22:00');
  const [until, setUntil] = useState('07:00');
  const hidden = prefs ? prefs.hide_previews : null;
  const quiet = prefs?.quiet_hours ?? null;

  const loaded = (p: PushPreferences) => {
    setPrefs(p);
    if (p.quiet_hours) {
      setFrom(toClock(p.quiet_hours.start_minute));
      setUntil(toClock(p.quiet_hours.end_minute));
    }
  };

  useEffect(() => {
    let live = true;
    getPushPreferences()
      .then((p) => live && loaded(p))
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

  /** Saves the whole preferences (the server replaces them all). */
  const save = async (what: 'previews' | 'quiet', next: PushPreferences) => {
    setBusy(what);
    setError(null);
    try {
      loaded(await setPushPreferences(next));
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setBusy(null);
    }
  };

  const togglePreviews = () => {
    if (prefs) void save('previews', { ...prefs, hide_previews: !prefs.hide_previews });
  };

  /** Turns the quiet period on with the times typed, or off. */
  const saveQuiet = (on: boolean) => {
    if (!prefs) return;
    if (!on) {
      void save('quiet', { ...prefs, quiet_hours: null });
      return;
    }
    const start = toMinutes(from);
    const end = toMinutes(until);
    if (start === null || end === null) {
      setError(t('push.quiet.badTime'));
      return;
    }
    if (start === end) {
      setError(t('push.quiet.sameTime'));
      return;
    }
    void save('quiet', {
      ...prefs,
      quiet_hours: { start_minute: start, end_minute: end, utc_offset_minutes: deviceOffset() },
    });
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
      {status ? <Muted testID="profile-push-status">{t(pushStatusKey(status))}</Muted> : null}
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
          <View style={{ flexDirection: 'row', gap: 12, marginTop: 16 }}>
            <View style={{ flex: 1 }}>
              <TextField
                label={t('push.quiet.from')}
                testID="profile-push-quiet-from"
                value={from}
                onChangeText={setFrom}
                placeholder="22:00"
                autoCapitalize="none"
              />
            </View>
            <View style={{ flex: 1 }}>
              <TextField
                label={t('push.quiet.until')}
                testID="profile-push-quiet-until"
                value={until}
                onChangeText={setUntil}
                placeholder="07:00"
                autoCapitalize="none"
              />
            </View>
          </View>
          <Button
            variant="secondary"
            icon="moon-outline"
            title={quiet ? t('push.quiet.save') : t('push.quiet.on')}
            testID="profile-push-quiet-save"
            busy={busy === 'quiet'}
            onPress={() => saveQuiet(true)}
          />
          {quiet ? (
            <Button
              variant="secondary"
              icon="notifications-outline"
              title={t('push.quiet.off')}
              testID="profile-push-quiet-off"
              style={{ marginTop: 8 }}
              onPress={() => saveQuiet(false)}
            />
          ) : null}
          <Muted testID="profile-push-quiet-state">
            {quiet
              ? t('push.quiet.state', {
                  from: toClock(quiet.start_minute),
                  until: toClock(quiet.end_minute),
                  zone: offsetLabel(quiet.utc_offset_minutes),
                })
              : t('push.quiet.none')}
          </Muted>
        </>
      ) : null}
      <ErrorText testID="profile-push-error">{error}</ErrorText>
    </View>
  );
}
