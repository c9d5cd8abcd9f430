import { useState } from 'react';
import { StyleSheet, View } from 'react-native';

import { toApiFailure } from '../../api/client';
import { ticketExportPath } from '../../api/exports';
import type { Ticket } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorText } from '../../components/Screen';
import { t } from '../../i18n';
import { canDownload, downloadPath } from '../../lib/download';

/**
 * An admin's export of the ticket's transcript, as a readable page or as JSON: a download on the
 * web, the share sheet on Android (lib/download.ts).
 */
export function TicketExport({ ticket }: { ticket: Ticket }) {
  const [busy, setBusy] = useState<'html' | 'json' | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!canDownload) return null;

  const download = async (format: 'html' | 'json') => {
    setBusy(format);
    setError(null);
    try {
      await downloadPath(ticketExportPath(ticket.id, format), `ticket-${ticket.number}.${format}`);
    } catch (e) {
      setError(toApiFailure(e).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <View>
      <View style={styles.buttons}>
        <Button
          variant="link"
          compact
          icon="download-outline"
          title={t('ticket.exportHtml')}
          testID="ticket-export-html"
          busy={busy === 'html'}
          onPress={() => void download('html')}
        />
        <Button
          variant="link"
          compact
          title={t('ticket.exportJson')}
          testID="ticket-export-json"
          busy={busy === 'json'}
          onPress={() => void download('json')}
        />
      </View>
      <ErrorText testID="ticket-export-error">{error}</ErrorText>
    </View>
  );
}

const styles = StyleSheet.create({
  buttons: { flexDirection: 'row', gap: 12, flexWrap: 'wrap' },
});
