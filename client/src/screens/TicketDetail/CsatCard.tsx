import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { rateTicket } from '../../api/tickets';
import type { Ticket } from '../../api/types';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { ErrorText } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { ticketReceived } from '../../state/queries/tickets';
import { useTheme } from '../../theme';

const SCORES = [1, 2, 3, 4, 5];

/**
 * CSAT on the ticket: its requester is asked to rate it while it is closed and unrated (once;
 * the server answers a second rating with 409); once rated, everyone who sees the ticket (the
 * staff, the requester) sees the rating.
 */
export function CsatCard({ ticket }: { ticket: Ticket }) {
  const dispatch = useAppDispatch();
  const { colors, radius } = useTheme();
  const me = useAppSelector((s) => s.auth.user);
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const card = [styles.card, { borderColor: colors.border, borderRadius: radius }];

  if (ticket.csat) {
    return (
      <View testID="csat-rating" style={card}>
        <Text style={{ color: colors.text, fontWeight: '600' }}>
          {t('csat.rating', { score: ticket.csat.score })}
        </Text>
        {ticket.csat.comment ? (
          <Text style={{ color: colors.textMuted }}>{ticket.csat.comment}</Text>
        ) : null}
      </View>
    );
  }
  if (ticket.status !== 'closed' || !me || me.id !== ticket.requester.id) return null;

  const send = async () => {
    if (score == null) return;
    setBusy(true);
    setError(null);
    try {
      const next = await rateTicket(ticket.id, score, comment);
      dispatch(ticketReceived({ ticket: next, myId: me.id }));
    } catch (e) {
      setError(toApiFailure(e).message || t('csat.failed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <View testID="csat-card" style={card}>
      <Text style={{ color: colors.text, fontWeight: '600' }}>{t('csat.prompt')}</Text>
      <View style={styles.stars} accessibilityRole="radiogroup">
        {SCORES.map((n) => (
          <Pressable
            key={n}
            testID={`csat-score-${n}`}
            accessibilityRole="radio"
            accessibilityLabel={t('csat.score', { n })}
            accessibilityState={{ selected: score === n }}
            onPress={() => setScore(n)}
            style={styles.star}
          >
            <Icon
              name={score != null && n <= score ? 'star' : 'star-outline'}
              size={28}
              color={colors.warning}
            />
          </Pressable>
        ))}
      </View>
      <TextField
        label={t('csat.comment')}
        testID="csat-comment"
        value={comment}
        onChangeText={setComment}
        maxLength={1000}
        multiline
      />
      {error ? <ErrorText testID="csat-error">{error}</ErrorText> : null}
      <Button
        title={t('csat.send')}
        testID="csat-send"
        onPress={() => void send()}
        disabled={score == null}
        busy={busy}
        compact
        style={{ alignSelf: 'flex-start' }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  card: { borderWidth: 1, padding: 10, marginVertical: 8, gap: 6 },
  stars: { flexDirection: 'row', gap: 4 },
  star: { padding: 4 },
});
