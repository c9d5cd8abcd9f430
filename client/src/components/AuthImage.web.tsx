import { useEffect, useState } from 'react';
import { Image, type ImageStyle, type StyleProp } from 'react-native';

import { api } from '../api/client';

interface Props {
  path: string;
  /** Changes when the image behind the same path changed (a new avatar). */
  version?: number;
  style: StyleProp<ImageStyle>;
  accessibilityLabel: string;
  testID?: string;
  onError?: () => void;
}

const cache = new Map<string, Promise<string>>();

/** Web: an <img> can't send the bearer token, so fetch the bytes and show a blob URL. */
function load(path: string, version?: number): Promise<string> {
  const key = `${path}#${version ?? 0}`;
  let p = cache.get(key);
  if (!p) {
    p = api
      .get<Blob>(path.replace(/^\/api\/v1/, ''), {
        responseType: 'blob',
        // A new version must not come from the HTTP cache (revalidate with the ETag).
        headers: version ? { 'Cache-Control': 'no-cache' } : undefined,
      })
      .then((res) => URL.createObjectURL(res.data));
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}

export function AuthImage({ path, version, style, accessibilityLabel, testID, onError }: Props) {
  const [uri, setUri] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    load(path, version)
      .then((u) => alive && setUri(u))
      .catch(() => alive && onError?.());
    return () => {
      alive = false;
    };
  }, [path, version, onError]);
  if (!uri) return null;
  return (
    <Image testID={testID} accessibilityLabel={accessibilityLabel} style={style} source={{ uri }} />
  );
}
