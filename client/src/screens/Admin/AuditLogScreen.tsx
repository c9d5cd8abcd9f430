import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import type { AuditEntry, AuditFilters } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText, Muted, Screen, Title } from '../../components/Screen';
import { TextField } from '../../components/TextField';
import { t, type StringKey } from '../../i18n';
import { useGetAuditPageQuery } from '../../state/queries/audit';
import { useTheme } from '../../theme';

const FIELDS: { key: keyof AuditFilters; label: StringKey; hint?: string }[] = [
  { key: 'action_prefix', label: 'audit.filter.action', hint: 'auth.  user.role_changed' },
  { key: 'actor_id', label: 'audit.filter.actor' },
  { key: 'target_kind', label: 'audit.filter.targetKind', hint: 'user  team  ticket' },
  { key: 'target_id', label: 'audit.filter.targetId' },
  { key: 'from', label: 'audit.filter.from', hint: '2026-12-01T00:00:00Z' },
  { key: 'to', label: 'audit.filter.to', hint: '2026-12-02T00:00:00Z' },
];

/**
 * The audit log (admins): who did what, to what, when and from where, newest first. Filters
 * apply together; "Load older" adds the next page below. Entries can only be read.
 */
export function AuditLogScreen() {
  const [draft, setDraft] = useState<AuditFilters>({});
  const [filters, setFilters] = useState<AuditFilters>({});
  // The cursor of every page shown: null for the newest, then each page's `next_cursor`.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);

  const apply = () => {
    setFilters({ ...draft });
    setCursors([null]);
  };

  return (
    <Screen testID="audit-screen" scroll>
      <Title>{t('audit.title')}</Title>
      <Muted>{t('audit.intro')}</Muted>
      <View style={styles.filters}>
        {FIELDS.map((f) => (
          <View key={f.key} style={styles.filter}>
            <TextField
              label={t(f.label)}
              testID={`audit-filter-${f.key}`}
              value={draft[f.key] ?? ''}
              placeholder={f.hint}
              autoCapitalize="none"
              onChangeText={(v) => setDraft((d) => ({ ...d, [f.key]: v }))}
              onSubmitEditing={apply}
            />
          </View>
        ))}
      </View>
      <Button title={t('audit.apply')} testID="audit-apply" onPress={apply} />
      {cursors.map((cursor, i) => (
        <AuditPageView
          key={`${JSON.stringify(filters)}:${cursor ?? 'newest'}`}
          filters={filters}
          cursor={cursor}
          last={i === cursors.length - 1}
          onMore={(next) => setCursors((c) => [...c, next])}
        />
      ))}
    </Screen>
  );
}

function AuditPageView({
  filters,
  cursor,
  last,
  onMore,
}: {
  filters: AuditFilters;
  cursor: number | null;
  last: boolean;
  onMore: (next: number) => void;
}) {
  const { data, error, isFetching } = useGetAuditPageQuery({ filters, cursor });
  if (error) {
    return <ErrorText testID="audit-error">{error.message}</ErrorText>;
  }
  if (!data) return isFetching ? <Muted testID="audit-loading">{t('audit.loading')}</Muted> : null;
  return (
    <View>
      {cursor === null && data.items.length === 0 ? (
        <Muted testID="audit-empty">{t('audit.empty')}</Muted>
      ) : null}
      {data.items.map((e) => (
        <AuditRow key={e.id} entry={e} />
      ))}
      {last && data.next_cursor != null ? (
        <Button
          variant="secondary"
          title={t('audit.more')}
          testID="audit-more"
          style={{ marginTop: 12 }}
          onPress={() => onMore(data.next_cursor as number)}
        />
      ) : null}
    </View>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const { colors } = useTheme();
  const who =
    entry.actor?.display_name ??
    (entry.actor_email ? t('audit.triedEmail', { email: entry.actor_email }) : t('audit.nobody'));
  const target = entry.target_kind ? `${entry.target_kind} ${entry.target_id ?? ''}`.trim() : '';
  const details = JSON.stringify(entry.details);
  return (
    <View testID={`audit-row-${entry.id}`} style={[styles.row, { borderColor: colors.border }]}>
      <Text style={[styles.action, { color: colors.text }]}>{entry.action}</Text>
      <Text style={{ color: colors.text }}>
        {who}
        {target ? ` → ${target}` : ''}
      </Text>
      {details !== '{}' ? <Muted>{details}</Muted> : null}
      <Muted>
        {new Date(entry.created_at).toLocaleString()}
        {entry.ip ? ` · ${entry.ip}` : ''}
      </Muted>
    </View>
  );
}

const styles = StyleSheet.create({
  filters: { flexDirection: 'row', flexWrap: 'wrap', gap: 12, marginTop: 12 },
  filter: { minWidth: 200, flexGrow: 1 },
  row: { borderBottomWidth: StyleSheet.hairlineWidth, paddingVertical: 10, gap: 2 },
  action: { fontWeight: '700' },
});
