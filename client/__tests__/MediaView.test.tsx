// Android: a call's video is react-native-webrtc's RTCView, given the stream's URL. The native
// view reads the stream's video track once, so a track that arrives later (the other side's,
// added to the same stream) must make a new view.
import { Platform } from 'react-native';
import { render } from '@testing-library/react-native';

import { MediaView } from '../src/screens/Call/MediaView';

const mockMounts: { streamURL: string; mirror: boolean; zOrder: number }[] = [];

jest.mock('../src/calls/media', () => ({
  media: null,
  NativeVideoView: function MockRTCView(props: {
    streamURL: string;
    mirror: boolean;
    zOrder: number;
  }) {
    // Counts mounts: a new native view is a new mount.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('react').useEffect(() => void mockMounts.push(props), []);
    return null;
  },
}));

function fakeStream(url: string) {
  const tracks: { id: string }[] = [];
  return {
    tracks,
    toURL: () => url,
    getVideoTracks: () => tracks,
  };
}

(Platform.OS === 'web' ? describe.skip : describe)('MediaView (Android)', () => {
  it('shows the stream by URL, our own mirrored and on top', async () => {
    const local = fakeStream('local-1');
    local.tracks.push({ id: 'cam' });
    await render(
      <MediaView
        stream={local as unknown as MediaStream}
        mirrored
        muted
        testID="call-local-media"
      />,
    );
    expect(mockMounts.at(-1)).toMatchObject({ streamURL: 'local-1', mirror: true, zOrder: 1 });
  });

  it('makes a new view when the video track arrives after the view is up', async () => {
    mockMounts.length = 0;
    const remote = fakeStream('remote-1');
    const view = (s: object) => (
      <MediaView stream={s as unknown as MediaStream} testID="call-remote-media" />
    );
    const root = await render(view({ ...remote }));
    expect(mockMounts).toHaveLength(1);
    remote.tracks.push({ id: 'their-camera' });
    await root.rerender(view({ ...remote }));
    expect(mockMounts).toHaveLength(2);
    expect(mockMounts[1]).toMatchObject({ streamURL: 'remote-1', mirror: false, zOrder: 0 });
    await root.rerender(view({ ...remote }));
    expect(mockMounts).toHaveLength(2);
  });

  it('shows nothing without a stream', async () => {
    mockMounts.length = 0;
    await render(<MediaView stream={null} testID="call-remote-media" />);
    expect(mockMounts).toHaveLength(0);
  });
});
