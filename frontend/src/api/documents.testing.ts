/**
 * Test helpers for documents (the api tests and the feature's): a stand-in XMLHttpRequest the
 * tests drive (progress, answer), and sample files whose first bytes are
 * what their names say.
 */
export class FakeXHR {
  static instances: FakeXHR[] = [];
  static reset() {
    FakeXHR.instances = [];
  }

  method = '';
  url = '';
  headers: Record<string, string> = {};
  withCredentials = false;
  status = 0;
  body: unknown;
  aborted = false;
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
    FakeXHR.instances.push(this);
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  /** The browser reports bytes sent. */
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total });
  }
  /** The store answers. */
  respond(status: number) {
    this.status = status;
    this.onload?.();
  }
}

export const JPEG_BYTES = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
export const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);

export function jpegFile(name = 'bitewing.jpg') {
  return new File([JPEG_BYTES], name, { type: 'image/jpeg' });
}

/** An HTML page renamed .jpg: the browser types it by its name. */
export function htmlAsJpeg(name = 'not-an-xray.jpg') {
  return new File(['<!doctype html><html><body>hello</body></html>'], name, { type: 'image/jpeg' });
}

/** A file reporting `size` bytes without holding them. */
export function withSize(file: File, size: number): File {
  Object.defineProperty(file, 'size', { value: size });
  return file;
}
