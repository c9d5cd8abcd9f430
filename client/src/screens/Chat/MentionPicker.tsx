import { useState, type ReactNode } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import type { User } from '../../api/types';
import { t } from '../../i18n';
import { pickerKey } from '../../lib/composerKeys';
import { useAppSelector } from '../../state/hooks';
import { useSearchUsersQuery } from '../../state/queries/people';
import { useTheme } from '../../theme';
import { filterStaff, findMentionQuery, insertMention } from './mentionQuery';

/** The list shows this many names at most (typing narrows it). */
const MAX_MATCHES = 6;

interface Options {
  text: string;
  /** Where the caret is (null: at the end). */
  caret: number | null;
  /** Staff writing an internal note: the only place mentions notify anyone. */
  enabled: boolean;
  /** Puts the new draft in the field (the caret goes to its end). */
  replace: (text: string) => void;
  testID: string;
}

/**
 * `@` mentions in the composer: after `@` and the start of a name, the staff whose display
 * name starts with it are offered; picking one writes `@Full Name ` as the server matches it.
 * The search asks the server for the first word (users by name prefix, cached while the rest
 * is typed) and narrows by the whole query here. Returns the list to show (or null) and the
 * key handler to run first in the field's `onKeyPress` (true when it took the key).
 */
export function useMentions({ text, caret, enabled, replace, testID }: Options): {
  picker: ReactNode;
  handleKey: (e: { preventDefault(): void }) => boolean;
} {
  const myId = useAppSelector((s) => s.auth.user?.id ?? null);
  // The `@` whose list was closed with Esc or filled in: it stays closed.
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const at = enabled ? findMentionQuery(text, caret ?? text.length) : null;
  const firstWord = at?.query.split(/\s/)[0] ?? '';
  const open = !!at && firstWord.length > 0 && at.start !== dismissedAt;
  const search = useSearchUsersQuery(firstWord, { skip: !open });
  const matches =
    open && at && search.data
      ? filterStaff(search.data.items, at.query, myId).slice(0, MAX_MATCHES)
      : [];
  const activeIndex = Math.min(active, Math.max(0, matches.length - 1));

  const pick = (u: User) => {
    if (!at) return;
    replace(insertMention(text, at, u.display_name).text);
    setDismissedAt(at.start);
    setActive(0);
  };

  const handleKey = (e: { preventDefault(): void }) => {
    if (!at || matches.length === 0) return false;
    const key = pickerKey(e);
    if (!key) return false;
    e.preventDefault();
    if (key === 'close') setDismissedAt(at.start);
    else if (key === 'next') setActive((activeIndex + 1) % matches.length);
    else if (key === 'previous') setActive((activeIndex - 1 + matches.length) % matches.length);
    else pick(matches[activeIndex]);
    return true;
  };

  const picker =
    matches.length > 0 ? (
      <MentionList testID={testID} matches={matches} active={activeIndex} onPick={pick} />
    ) : null;
  return { picker, handleKey };
}

function MentionList({
  matches,
  active,
  onPick,
  testID,
}: {
  matches: User[];
  active: number;
  onPick: (u: User) => void;
  testID: string;
}) {
  const { colors, radius } = useTheme();
  return (
    <View
      testID={testID}
      role="menu"
      accessibilityLabel={t('mentions.pickerLabel')}
      style={[
        styles.wrap,
        { borderColor: colors.border, backgroundColor: colors.surface, borderRadius: radius },
      ]}
    >
      {matches.map((u, i) => {
        const selected = i === active;
        return (
          <Pressable
            key={u.id}
            testID={`${testID}-${u.id}`}
            role="menuitem"
            accessibilityLabel={t('mentions.pick', { name: u.display_name })}
            accessibilityState={{ selected }}
            aria-selected={selected}
            onPress={() => onPick(u)}
            style={[styles.item, selected && { backgroundColor: colors.surfaceAlt }]}
          >
            <Text style={{ color: colors.text }} numberOfLines={1}>
              <Text style={[styles.at, { color: colors.primary }]}>@</Text>
              {u.display_name}
              <Text style={{ color: colors.textMuted }}> · {t(`role.${u.role}`)}</Text>
            </Text>
          </Pressable>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { borderWidth: 1, marginBottom: 6, paddingVertical: 4, maxHeight: 240, overflow: 'hidden' },
  item: { paddingHorizontal: 12, paddingVertical: 6 },
  at: { fontWeight: '700' },
});
