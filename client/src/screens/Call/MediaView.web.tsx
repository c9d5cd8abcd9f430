import { createElement, useCallback } from 'react';

/** A call's video (or audio only) on the web: a <video> playing the stream. */
export function MediaView({
  stream,
  mirrored,
  muted,
  testID,
}: {
  stream: MediaStream | null;
  mirrored?: boolean;
  /** Our own stream: never played back (no echo). */
  muted?: boolean;
  testID: string;
}) {
  // A callback ref: the element gets the stream when it mounts and whenever the stream changes.
  const ref = useCallback(
    (el: HTMLVideoElement | null) => {
      if (el && el.srcObject !== stream) el.srcObject = stream;
    },
    [stream],
  );
  return createElement('video', {
    ref,
    'data-testid': testID,
    autoPlay: true,
    playsInline: true,
    muted: !!muted,
    style: {
      width: '100%',
      height: '100%',
      objectFit: 'cover',
      background: '#000',
      transform: mirrored ? 'scaleX(-1)' : undefined,
    },
  });
}
