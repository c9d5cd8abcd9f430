import { Linking, StyleSheet, Text, type TextStyle } from 'react-native';

import { linkify } from '../lib/linkify';

/**
 * A message body: line breaks kept, http(s) addresses as links that open outside the app.
 * Bodies are plain text: nothing in them is ever interpreted as HTML or markup.
 */
export function MessageText({
  body,
  style,
  linkColor,
  testID,
}: {
  body: string;
  style: TextStyle | TextStyle[];
  linkColor: string;
  testID?: string;
}) {
  return (
    <Text testID={testID} style={style} selectable>
      {linkify(body).map((s, i) =>
        s.kind === 'text' ? (
          s.text
        ) : (
          <Text
            key={i}
            accessibilityRole="link"
            style={[styles.link, { color: linkColor }]}
            onPress={() => void Linking.openURL(s.url).catch(() => undefined)}
          >
            {s.text}
          </Text>
        ),
      )}
    </Text>
  );
}

const styles = StyleSheet.create({
  link: { textDecorationLine: 'underline' },
});
