import { useEffect, useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { Button } from '../../components/Button';
import { Chips } from '../../components/Chips';
import { TextField } from '../../components/TextField';
import { t } from '../../i18n';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { useCountViewsQuery } from '../../state/queries/tickets';
import { loadViews, removeView, saveView, type SavedView } from '../../state/views';

export type ViewFields = Omit<SavedView, 'id' | 'name'>;

/** Do the screen's current tab, filters and sort match this view? */
export function isCurrent(v: SavedView, cur: ViewFields): boolean {
  return (
    v.tab === cur.tab &&
    (v.status ?? null) === (cur.status ?? null) &&
    (v.priority ?? null) === (cur.priority ?? null) &&
    (v.q ?? '') === (cur.q ?? '') &&
    v.sort === cur.sort &&
    (v.tab !== 'team' || (v.team ?? null) === (cur.team ?? null))
  );
}

/** The agent's saved views with live counts: pick one, save the current one, delete one. */
export function ViewsBar({
  current,
  onApply,
}: {
  current: ViewFields;
  onApply: (v: SavedView) => void;
}) {
  const dispatch = useAppDispatch();
  const me = useAppSelector((s) => s.auth.user);
  const { userId, items } = useAppSelector((s) => s.views);
  // Counted again when tickets change live (see `ticketReceived`).
  const counts =
    useCountViewsQuery(items, { skip: !items.length, refetchOnMountOrArgChange: true }).data ?? {};
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');

  useEffect(() => {
    if (me && userId !== me.id) void dispatch(loadViews(me.id));
  }, [dispatch, me, userId]);

  const selected = items.find((v) => isCurrent(v, current)) ?? null;
  const save = () => {
    if (!name.trim()) return;
    void dispatch(saveView({ ...current, name }));
    setName('');
    setNaming(false);
  };
  return (
    <View testID="tickets-views" style={styles.bar}>
      {items.length ? (
        <Chips
          testID="tickets-view"
          label={t('views.title')}
          value={selected?.id ?? null}
          onChange={(id) => {
            const v = items.find((x) => x.id === id);
            if (v) onApply(v);
          }}
          options={items.map((v) => ({
            value: v.id,
            label: counts[v.id] == null ? v.name : `${v.name} · ${counts[v.id]}`,
          }))}
        />
      ) : null}
      {naming ? (
        <View style={styles.row}>
          <View style={styles.grow}>
            <TextField
              label={t('views.name')}
              placeholder={t('views.name')}
              testID="tickets-view-name"
              value={name}
              onChangeText={setName}
              onSubmitEditing={save}
              autoFocus
              hideLabel
            />
          </View>
          <Button compact title={t('common.save')} testID="tickets-view-save" onPress={save} />
          <Button
            compact
            variant="secondary"
            title={t('common.cancel')}
            testID="tickets-view-cancel"
            onPress={() => setNaming(false)}
          />
        </View>
      ) : (
        <View style={styles.row}>
          {selected ? null : (
            <Button
              compact
              variant="link"
              title={t('views.saveCurrent')}
              testID="tickets-view-new"
              onPress={() => setNaming(true)}
            />
          )}
          {selected ? (
            <Button
              compact
              variant="link"
              title={t('views.delete', { name: selected.name })}
              testID="tickets-view-delete"
              onPress={() => void dispatch(removeView(selected.id))}
            />
          ) : null}
        </View>
      )}
    </View>
  );
}

const styles = StyleSheet.create({
  bar: { marginTop: 4 },
  row: { flexDirection: 'row', alignItems: 'center', gap: 8 },
  grow: { flex: 1 },
});
