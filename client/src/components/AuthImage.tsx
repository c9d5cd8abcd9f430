import { useState } from 'react';
import { Image, type ImageStyle, type StyleProp } from 'react-native';

import { getSession } from '../api/session';
import { absoluteUrl } from '../config';

interface Props {
  path: string;
  version?: number;
  style: StyleProp<ImageStyle>;
  accessibilityLabel: string;
  testID?: string;
  onError?: () => void;
}

/** Native: the image loader sends the bearer token as a header. */
export function AuthImage({ path, version, style, accessibilityLabel, testID, onError }: Props) {
  const [failed, setFailed] = useState(false);
  if (failed) return null;
  const token = getSession()?.accessToken;
  return (
    <Image
      testID={testID}
      accessibilityLabel={accessibilityLabel}
      style={style}
      source={{
        uri: absoluteUrl(path),
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      }}
      onError={() => {
        setFailed(true);
        onError?.();
      }}
    />
  );
}
