import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeXHR, htmlAsJpeg, jpegFile, PNG_BYTES, withSize } from './documents.testing';
import { ApiError } from '../lib/api';
import {
  contentMatches,
  contentTypeOf,
  documentKeys,
  formatBytes,
  MAX_DOCUMENT_BYTES,
  putToStore,
  refusalFor,
  uploadErrorMessage,
} from './documents';

describe('contentTypeOf', () => {
  it('takes the browser type when it is accepted, the extension when the type is empty (DICOM)', () => {
    expect(contentTypeOf({ name: 'a.jpg', type: 'image/jpeg' })).toBe('image/jpeg');
    expect(contentTypeOf({ name: 'a.jpg', type: 'image/pjpeg' })).toBe('image/jpeg');
    expect(contentTypeOf({ name: 'a.PNG', type: '' })).toBe('image/png');
    expect(contentTypeOf({ name: 'scan.pdf', type: 'application/pdf' })).toBe('application/pdf');
    expect(contentTypeOf({ name: 'ct.dcm', type: '' })).toBe('application/dicom');
    expect(contentTypeOf({ name: 'ct.dcm', type: 'application/octet-stream' })).toBe('application/dicom');
    expect(contentTypeOf({ name: 'ct.dcm', type: 'application/dicom' })).toBe('application/dicom');
  });

  it('refuses anything else', () => {
    expect(contentTypeOf({ name: 'notes.txt', type: 'text/plain' })).toBeNull();
    expect(contentTypeOf({ name: 'page.html', type: 'text/html' })).toBeNull();
    expect(contentTypeOf({ name: 'photo.heic', type: '' })).toBeNull();
    expect(contentTypeOf({ name: 'README', type: '' })).toBeNull();
  });
});

describe('refusalFor', () => {
  it('lets a real JPEG through', async () => {
    expect(await refusalFor(jpegFile())).toBeNull();
  });

  it('refuses the wrong type, an empty file, one over 25 MB, and content that is not what the name says', async () => {
    expect(await refusalFor(new File(['x'], 'notes.txt', { type: 'text/plain' }))).toMatch(/not accepted: choose a JPEG, PNG, PDF or DICOM/);
    expect(await refusalFor(new File([], 'empty.jpg', { type: 'image/jpeg' }))).toBe('The file is empty.');
    expect(await refusalFor(withSize(jpegFile(), MAX_DOCUMENT_BYTES + 1))).toMatch(/largest accepted is 25 MB/);
    expect(await refusalFor(withSize(jpegFile(), MAX_DOCUMENT_BYTES))).toBeNull();
    expect(await refusalFor(htmlAsJpeg())).toMatch(/^The file is not a JPEG/);
    expect(await refusalFor(new File([PNG_BYTES], 'photo.jpg', { type: 'image/jpeg' }))).toMatch(/not a JPEG/);
    expect(await refusalFor(new File([PNG_BYTES], 'photo.png', { type: 'image/png' }))).toBeNull();
  });

  it('checks the first bytes by type', () => {
    expect(contentMatches('application/pdf', new TextEncoder().encode('%PDF-1.7'))).toBe(true);
    expect(contentMatches('application/pdf', new TextEncoder().encode('<html>'))).toBe(false);
    expect(contentMatches('image/png', PNG_BYTES)).toBe(true);
  });
});

describe('putToStore', () => {
  beforeEach(() => {
    FakeXHR.reset();
    vi.stubGlobal('XMLHttpRequest', FakeXHR);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('PUTs the bytes with exactly the signed headers, no cookies, no CSRF header, and reports progress', async () => {
    document.cookie = 'csrf_token=secret';
    const progress: number[] = [];
    const file = jpegFile();
    const done = putToStore(
      { uploadUrl: '/_s3/bucket/key?X-Amz-Signature=abc', uploadHeaders: { 'Content-Type': 'image/jpeg', 'x-amz-meta-doc': 'd-1' } },
      file,
      (p) => progress.push(p),
    );
    const xhr = FakeXHR.instances[0]!;
    expect(xhr.method).toBe('PUT');
    expect(xhr.url).toBe('/_s3/bucket/key?X-Amz-Signature=abc');
    expect(xhr.headers).toEqual({ 'Content-Type': 'image/jpeg', 'x-amz-meta-doc': 'd-1' });
    expect(xhr.withCredentials).toBe(false);
    expect(xhr.body).toBe(file);
    xhr.progress(5, 20);
    xhr.progress(20, 20);
    xhr.respond(200);
    await done;
    expect(progress).toEqual([0.25, 1, 1]);
    document.cookie = 'csrf_token=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
  });

  it('rejects when the store refuses, and on abort', async () => {
    const refused = putToStore({ uploadUrl: '/_s3/x', uploadHeaders: {} }, jpegFile());
    FakeXHR.instances[0]!.respond(403);
    await expect(refused).rejects.toThrow(/refused the upload \(error 403\)/);

    const controller = new AbortController();
    const aborted = putToStore({ uploadUrl: '/_s3/y', uploadHeaders: {} }, jpegFile(), undefined, controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeXHR.instances[1]!.aborted).toBe(true);
  });
});

describe('helpers', () => {
  it('puts a field message after the error message', () => {
    const error = new ApiError({
      status: 400,
      code: 'invalid',
      message: 'validation failed',
      requestId: 'r',
      fields: [{ field: 'size', message: 'at most 25 MB' }],
    });
    expect(uploadErrorMessage(error)).toBe('validation failed at most 25 MB');
    expect(uploadErrorMessage(new Error('boom'))).toBe('boom');
  });

  it('formats sizes and keys every list of a patient under one prefix', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(25 * 1024 * 1024)).toBe('25 MB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(documentKeys.list('p-1', { kind: 'xray' }).slice(0, 3)).toEqual([...documentKeys.patient('p-1')]);
  });
});
