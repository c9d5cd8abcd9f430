import { useState } from 'react';
import { Modal, Pressable, StyleSheet, Text, View } from 'react-native';

import type { FileInfo } from '../api/types';
import { t } from '../i18n';
import { downloadFile } from '../lib/download';
import { useShortcuts } from '../lib/shortcuts';
import { AuthImage } from './AuthImage';
import { Icon, type IconName } from './Icon';

export const ZOOMS = [1, 1.5, 2, 3, 4];

function Control({
  label,
  icon,
  testID,
  onPress,
  disabled,
}: {
  label: string;
  icon: IconName;
  testID: string;
  onPress: () => void;
  disabled?: boolean;
}) {
  return (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      accessibilityLabel={label}
      accessibilityState={{ disabled: !!disabled }}
      disabled={disabled}
      onPress={onPress}
      style={[styles.control, disabled && styles.disabled]}
    >
      <Icon name={icon} size={22} color="#fff" />
    </Pressable>
  );
}

/**
 * The images of a conversation, one at a time, full size: zoom, previous / next, download.
 * Keys on the web: ← → to move, + − 0 to zoom, Esc to close.
 */
export function ImageViewer({
  images,
  index,
  onIndex,
  onClose,
}: {
  images: FileInfo[];
  index: number;
  onIndex: (i: number) => void;
  onClose: () => void;
}) {
  const [zoom, setZoom] = useState(0);
  const [failed, setFailed] = useState<string | null>(null);
  const file = images[index];
  const go = (by: number) => {
    const next = index + by;
    if (next < 0 || next >= images.length) return;
    setZoom(0);
    onIndex(next);
  };
  const zoomBy = (by: number) => setZoom((z) => Math.max(0, Math.min(ZOOMS.length - 1, z + by)));
  const download = () => {
    setFailed(null);
    downloadFile(file).catch((e: unknown) => setFailed(String((e as Error)?.message ?? e)));
  };
  useShortcuts(
    {
      ArrowLeft: () => go(-1),
      ArrowRight: () => go(1),
      '+': () => zoomBy(1),
      '=': () => zoomBy(1),
      '-': () => zoomBy(-1),
      '0': () => setZoom(0),
      Escape: onClose,
    },
    !!file,
    // Over the queue: its shortcuts wait until the viewer closes.
    true,
  );
  if (!file) return null;
  const scale = ZOOMS[zoom];
  return (
    <Modal transparent visible animationType="fade" onRequestClose={onClose}>
      <View
        testID="image-viewer"
        accessibilityViewIsModal
        accessibilityLabel={t('viewer.title', { name: file.name })}
        style={styles.backdrop}
      >
        <View style={styles.bar}>
          <Text testID="image-viewer-name" numberOfLines={1} style={styles.name}>
            {file.name}
          </Text>
          <Text testID="image-viewer-position" style={styles.meta}>
            {t('viewer.position', { at: index + 1, of: images.length })}
          </Text>
          <Control
            testID="image-viewer-zoom-out"
            label={t('viewer.zoomOut')}
            icon="remove"
            disabled={zoom === 0}
            onPress={() => zoomBy(-1)}
          />
          <Text testID="image-viewer-zoom" style={styles.meta}>
            {Math.round(scale * 100)}%
          </Text>
          <Control
            testID="image-viewer-zoom-in"
            label={t('viewer.zoomIn')}
            icon="add"
            disabled={zoom === ZOOMS.length - 1}
            onPress={() => zoomBy(1)}
          />
          <Control
            testID="image-viewer-download"
            label={t('viewer.download', { name: file.name })}
            icon="download-outline"
            onPress={download}
          />
          <Control
            testID="image-viewer-close"
            label={t('common.close')}
            icon="close"
            onPress={onClose}
          />
        </View>
        <View style={styles.stage}>
          <Control
            testID="image-viewer-prev"
            label={t('viewer.previous')}
            icon="chevron-back"
            disabled={index === 0}
            onPress={() => go(-1)}
          />
          <View style={styles.frame}>
            <AuthImage
              key={file.id}
              path={file.url}
              accessibilityLabel={file.name}
              testID="image-viewer-image"
              style={[styles.image, { transform: [{ scale }] }]}
              onError={() => setFailed(t('viewer.failed'))}
            />
          </View>
          <Control
            testID="image-viewer-next"
            label={t('viewer.next')}
            icon="chevron-forward"
            disabled={index === images.length - 1}
            onPress={() => go(1)}
          />
        </View>
        {failed ? (
          <Text testID="image-viewer-error" style={styles.error}>
            {failed}
          </Text>
        ) : null}
      </View>
    </Modal>
  );
}

const styles = StyleSheet.create({
  backdrop: { flex: 1, backgroundColor: 'rgba(0,0,0,0.92)', padding: 12 },
  bar: { flexDirection: 'row', alignItems: 'center', gap: 8 },
  name: { flex: 1, color: '#fff', fontWeight: '600' },
  meta: { color: '#ddd', minWidth: 44, textAlign: 'center' },
  stage: { flex: 1, flexDirection: 'row', alignItems: 'center', gap: 8 },
  frame: { flex: 1, alignSelf: 'stretch', overflow: 'hidden', justifyContent: 'center' },
  image: { width: '100%', height: '100%', resizeMode: 'contain' },
  control: {
    minWidth: 40,
    height: 40,
    borderRadius: 20,
    alignItems: 'center',
    justifyContent: 'center',
    backgroundColor: 'rgba(255,255,255,0.15)',
  },
  disabled: { opacity: 0.3 },
  error: { color: '#ffb4b4', textAlign: 'center' },
});
