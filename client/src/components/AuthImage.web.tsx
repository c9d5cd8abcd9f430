import { useEffect, useState } from 'react';
import { Image, type ImageStyle, type StyleProp } from 'react-native';

import { api } from '../api/client';

interface Props {
  path: string;
  style: StyleProp<ImageStyle>;
  accessibilityLabel: string;
  testID?: string;
  onError?: () => void;
}

const cache = new Map<string, Promise<string>>();

/** Web: an <img> can't send the bearer token, so fetch the bytes and show a blob URL. */
function load(path: string): Promise<string> {
  let p = cache.get(path);
  if (!p) {
    p = api
      .get<Blob>(path.replace(/^\/api\/v1/, ''), { responseType: 'blob' })
      .then((res) => URL.createObjectURL(res.data));
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}

export function AuthImage({ path, style, accessibilityLabel, testID, onError }: Props) {
  const [uri, setUri] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    load(path)
      .then((u) => alive && setUri(u))
      .catch(() => alive && onError?.());
    return () => {
      alive = false;
    };
  }, [path, onError]);
  if (!uri) return null;
  return (
    <Image testID={testID} accessibilityLabel={accessibilityLabel} style={style} source={{ uri }} />
  );
}

/** Forget a cached image (after the user changed their avatar). */
export function invalidateImage(path: string): void {
  cache.delete(path);
}
