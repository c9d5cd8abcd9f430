// Android downloads (lib/download.ts) name the cached file safely, tell the share sheet its type,
// and turn expo-file-system's rejections into the failures the screens show.
import { downloadFailure, fileNameFor, mimeTypeFor } from '../src/lib/downloadNames';

describe('download names', () => {
  it('keeps ordinary names and strips paths, control characters and leading dots', () => {
    expect(fileNameFor('switchboard-export-3.zip')).toBe('switchboard-export-3.zip');
    expect(fileNameFor('ticket-12.html')).toBe('ticket-12.html');
    expect(fileNameFor('../../etc/passwd')).toBe('passwd');
    expect(fileNameFor('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(fileNameFor('.hidden')).toBe('hidden');
    expect(fileNameFor('a\u0000b\nc?.txt')).toBe('a_b_c_.txt');
    expect(fileNameFor('')).toBe('download');
    expect(fileNameFor('...')).toBe('download');
    expect(fileNameFor('x'.repeat(300) + '.zip')).toHaveLength(120);
  });

  it('gives the share sheet the type of an export', () => {
    expect(mimeTypeFor('switchboard-export-3.zip')).toBe('application/zip');
    expect(mimeTypeFor('ticket-12.html')).toBe('text/html');
    expect(mimeTypeFor('ticket-12.JSON')).toBe('application/json');
    expect(mimeTypeFor('notes')).toBe('application/octet-stream');
  });

  it("reads the HTTP status out of expo-file-system's rejection", () => {
    const refused = downloadFailure(
      new Error('Unable to download a file: response has status: 403'),
    );
    expect(refused).toMatchObject({ status: 403, code: 'http_403' });
    expect(refused.message).toMatch(/may not download/);
    expect(downloadFailure(new Error('response has status: 500'))).toMatchObject({
      status: 500,
      code: 'http_500',
      message: expect.stringMatching(/HTTP 500/),
    });
    expect(downloadFailure(new Error('Unable to download a file: timeout'))).toMatchObject({
      status: null,
      code: 'network',
    });
  });
});
