/** A picked file: a web Blob/File, or a native file URI. */
export interface Upload {
  name: string;
  type: string;
  uri: string;
  /** Present on the web. */
  blob?: Blob;
}

export function toFormData(file: Upload): FormData {
  const form = new FormData();
  if (file.blob) {
    form.append('file', file.blob, file.name);
  } else {
    // React Native's FormData takes {uri, name, type}.
    form.append('file', { uri: file.uri, name: file.name, type: file.type } as unknown as Blob);
  }
  return form;
}
