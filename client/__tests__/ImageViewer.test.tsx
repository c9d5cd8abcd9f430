import { useState } from 'react';
import { Text as MockText } from 'react-native';

import type { FileInfo } from '../src/api/types';
import { ImageViewer } from '../src/components/ImageViewer';
import { downloadFile } from '../src/lib/download';
import { renderUi, isDisabled, press, queryTestId, textOf } from './helpers/ui';

jest.mock('../src/lib/download', () => ({ downloadFile: jest.fn(async () => undefined) }));
// The image bytes come over authenticated HTTP; here only which file is shown matters.
jest.mock('../src/components/AuthImage', () => ({
  AuthImage: ({ path, testID }: { path: string; testID?: string }) => (
    <MockText testID={testID}>{path}</MockText>
  ),
}));

const file = (id: number, name: string): FileInfo => ({
  id,
  name,
  content_type: 'image/png',
  created_at: '2026-11-25T12:00:00.000Z',
  size: 10,
  is_image: true,
  url: `/api/v1/files/${id}`,
  thumbnail_url: `/api/v1/files/${id}/thumbnail`,
});
const images = [file(1, 'error-51.png'), file(2, 'cable.png'), file(3, 'label.png')];

function Harness({ start, onClose }: { start: number; onClose: () => void }) {
  const [i, setI] = useState(start);
  return <ImageViewer images={images} index={i} onIndex={setI} onClose={onClose} />;
}

describe('ImageViewer', () => {
  it('shows the full image, moves through the conversation, zooms, downloads and closes', async () => {
    const onClose = jest.fn();
    await renderUi(<Harness start={1} onClose={onClose} />);
    expect(textOf('image-viewer-image')).toBe('/api/v1/files/2');
    expect(textOf('image-viewer-position')).toBe('2 / 3');
    await press('image-viewer-next');
    expect(textOf('image-viewer-name')).toBe('label.png');
    expect(isDisabled('image-viewer-next')).toBe(true);
    await press('image-viewer-prev');
    await press('image-viewer-prev');
    expect(textOf('image-viewer-position')).toBe('1 / 3');
    expect(isDisabled('image-viewer-prev')).toBe(true);

    expect(textOf('image-viewer-zoom')).toBe('100%');
    expect(isDisabled('image-viewer-zoom-out')).toBe(true);
    await press('image-viewer-zoom-in');
    await press('image-viewer-zoom-in');
    expect(textOf('image-viewer-zoom')).toBe('200%');
    // Another image starts unzoomed.
    await press('image-viewer-next');
    expect(textOf('image-viewer-zoom')).toBe('100%');

    await press('image-viewer-download');
    expect(downloadFile).toHaveBeenCalledWith(images[1]);
    expect(queryTestId('image-viewer-error')).toBeNull();
    await press('image-viewer-close');
    expect(onClose).toHaveBeenCalled();
  });
});
