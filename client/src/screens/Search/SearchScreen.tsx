import { useNavigation } from '@react-navigation/native';
import { useEffect, useMemo, useState } from 'react';
import { FlatList, Pressable, StyleSheet, Text, View } from 'react-native';

import { failureText, type ApiFailure } from '../../api/client';
import { STATUSES, type SearchHit, type SnippetPart, type TicketStatus } from '../../api/types';
import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { ErrorText, Muted, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { formatTime, t } from '../../i18n';
import { useAppSelector } from '../../state/hooks';
import { useLazySearchQuery, useSearchQuery } from '../../state/queries/search';
import { useTheme } from '../../theme';
import {
  EMPTY_FORM,
  MAX_QUERY,
  hitTarget,
  searchParams,
  snippetText,
  type Period,
  type SearchForm,
} from './searchForm';

/** The snippet with the matched words marked (bold, on the note colour: legible light and dark). */
function Snippet({ parts, testID }: { parts: SnippetPart[]; testID: string }) {
  const { colors } = useTheme();
  return (
    <Text testID={testID} style={{ color: colors.text }} numberOfLines={3}>
      {parts.map((p, i) =>
        p.hit ? (
          <Text
            key={i}
            testID={`${testID}-mark`}
            style={[styles.mark, { backgroundColor: colors.note, color: colors.text }]}
          >
            {p.text}
          </Text>
        ) : (
          <Text key={i}>{p.text}</Text>
        ),
      )}
    </Text>
  );
}

function where(hit: SearchHit): string {
  if (hit.ticket_number != null) {
    return t('find.ticket', { number: hit.ticket_number, subject: hit.ticket_subject ?? '' });
  }
  return t('find.direct');
}

/** Full-text search over what the signed-in user may see; a hit opens where it was written. */
export function SearchScreen() {
  const { colors } = useTheme();
  const navigation = useNavigation();
  const me = useAppSelector((s) => s.auth.user);
  const [form, setForm] = useState<SearchForm>(EMPTY_FORM);
  // Typing settles for a moment before a request goes out; the time it settled dates the
  // period filters.
  const [settled, setSettled] = useState<{ form: SearchForm; at: number }>({
    form: EMPTY_FORM,
    at: 0,
  });
  useEffect(() => {
    const h = setTimeout(() => setSettled({ form, at: Date.now() }), 300);
    return () => clearTimeout(h);
  }, [form]);
  const params = useMemo(() => searchParams(settled.form, me?.id, settled.at), [settled, me?.id]);
  const first = useSearchQuery(params ?? { q: '' }, { skip: !params });
  const [fetchMore, more] = useLazySearchQuery();
  // Later pages of the current query (kept with the request they continue, so a new query
  // starts from its first page).
  const key = JSON.stringify(params);
  const [later, setLater] = useState<{ key: string; items: SearchHit[]; cursor: string | null }>({
    key: '',
    items: [],
    cursor: null,
  });
  const extra = later.key === key ? later : { key, items: [], cursor: null };
  const items = params ? [...(first.data?.items ?? []), ...extra.items] : [];
  const cursor = extra.items.length ? extra.cursor : (first.data?.next_cursor ?? null);
  const loadMore = async () => {
    if (!params || !cursor || more.isFetching) return;
    const page = await fetchMore({ ...params, cursor }).unwrap();
    setLater({
      key,
      items: [...extra.items, ...page.items],
      cursor: page.next_cursor ?? null,
    });
  };
  const failure = (first.error ?? more.error) as ApiFailure | undefined;
  const set = (changes: Partial<SearchForm>) => setForm((f) => ({ ...f, ...changes }));

  const statusOptions: { value: TicketStatus | 'any'; label: string }[] = [
    { value: 'any', label: t('find.anyStatus') },
    ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
  ];
  const periodOptions: { value: Period; label: string }[] = [
    { value: 'any', label: t('find.anyTime') },
    { value: 'week', label: t('find.week') },
    { value: 'month', label: t('find.month') },
  ];
  const fromOptions: { value: 'anyone' | 'me'; label: string }[] = [
    { value: 'anyone', label: t('find.anyone') },
    { value: 'me', label: t('find.me') },
  ];

  return (
    <View testID="search-screen" style={[styles.page, { backgroundColor: colors.background }]}>
      <FlatList
        testID="search-results"
        contentContainerStyle={styles.content}
        data={items}
        keyExtractor={(h) => `${h.kind}-${h.message_id ?? h.ticket_id}`}
        keyboardShouldPersistTaps="handled"
        ListHeaderComponent={
          <View style={styles.header}>
            <Title>{t('find.title')}</Title>
            <TextField
              label={t('find.field')}
              testID="search-input"
              value={form.text}
              onChangeText={(text) => set({ text })}
              placeholder={t('find.hint')}
              maxLength={MAX_QUERY}
              autoCapitalize="none"
              autoCorrect={false}
              returnKeyType="search"
            />
            <Chips
              testID="search-status"
              label={t('find.status')}
              options={statusOptions}
              value={form.status}
              onChange={(status) => set({ status })}
            />
            <Chips
              testID="search-period"
              label={t('find.period')}
              options={periodOptions}
              value={form.period}
              onChange={(period) => set({ period })}
            />
            <Chips
              testID="search-from"
              label={t('find.from')}
              options={fromOptions}
              value={form.mineOnly ? 'me' : 'anyone'}
              onChange={(v) => set({ mineOnly: v === 'me' })}
            />
            {failure ? (
              <ErrorText testID="search-error">
                {t('common.error', { message: failureText(failure) })}
              </ErrorText>
            ) : null}
            {params && first.isFetching && !first.data ? (
              <Muted>{t('common.loading')}</Muted>
            ) : null}
            {params && first.data && items.length === 0 ? (
              <Muted testID="search-empty">{t('find.none')}</Muted>
            ) : null}
          </View>
        }
        renderItem={({ item: hit, index }) => {
          const place = where(hit);
          return (
            <Pressable
              testID={`search-hit-${index}`}
              accessibilityRole="button"
              accessibilityLabel={t('find.open', { where: place, text: snippetText(hit) })}
              onPress={() => {
                const target = hitTarget(hit);
                if (target.screen === 'TicketDetail')
                  navigation.navigate('TicketDetail', target.params);
                else navigation.navigate('Chat', target.params);
              }}
              style={({ pressed }) => [
                styles.hit,
                {
                  backgroundColor: hit.message_kind === 'note' ? colors.note : colors.surface,
                  borderColor: hit.message_kind === 'note' ? colors.noteBorder : colors.border,
                  opacity: pressed ? 0.7 : 1,
                },
              ]}
            >
              <View style={styles.hitTop}>
                <Text style={[styles.where, { color: colors.textMuted }]} numberOfLines={1}>
                  {hit.kind === 'ticket' ? `${t('find.subject')} · ${place}` : place}
                  {hit.message_kind === 'note' ? ` · ${t('find.note')}` : ''}
                </Text>
                <Text style={{ color: colors.textMuted, fontSize: 12 }}>
                  {formatTime(hit.created_at)}
                </Text>
              </View>
              <Snippet parts={hit.snippet} testID={`search-hit-${index}-snippet`} />
            </Pressable>
          );
        }}
        ListFooterComponent={
          cursor ? (
            <Button
              variant="link"
              testID="search-more"
              title={more.isFetching ? t('common.loading') : t('find.more')}
              onPress={() => void loadMore().catch(() => undefined)}
            />
          ) : null
        }
      />
    </View>
  );
}

const styles = StyleSheet.create({
  page: { flex: 1 },
  content: { padding: 16, gap: 8, width: '100%', maxWidth: 900, alignSelf: 'center' },
  header: { gap: 8, marginBottom: 4 },
  hit: { borderWidth: 1, borderRadius: 10, padding: 12, gap: 4 },
  hitTop: { flexDirection: 'row', justifyContent: 'space-between', gap: 8 },
  where: { flex: 1, fontSize: 12, fontWeight: '600' },
  mark: { fontWeight: '700', borderRadius: 3 },
});
