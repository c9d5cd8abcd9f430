import type { Upload } from '../api/upload';

/** Web: a plain file input, so the browser's own chooser (and Playwright's) handles it. */
function choose(accept: string): Promise<Upload | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.style.display = 'none';
    input.setAttribute('data-testid', 'file-input');
    input.onchange = () => {
      const f = input.files?.[0];
      input.remove();
      resolve(
        f
          ? {
              name: f.name,
              type: f.type || 'application/octet-stream',
              uri: URL.createObjectURL(f),
              blob: f,
            }
          : null,
      );
    };
    input.addEventListener('cancel', () => {
      input.remove();
      resolve(null);
    });
    document.body.appendChild(input);
    input.click();
  });
}

export function pickFile(): Promise<Upload | null> {
  return choose('*/*');
}

export function pickImage(): Promise<Upload | null> {
  return choose('image/png,image/jpeg,image/webp,image/gif');
}
