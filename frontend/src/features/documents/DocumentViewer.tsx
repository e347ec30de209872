import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useDocumentDownload, type PatientDocument } from '../../api/documents';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import type { Numbering } from '../../lib/teeth';
import { documentName } from './teeth';

export const ZOOM_STEPS = [1, 1.25, 1.5, 2, 3, 4, 6, 8] as const;
const PAN_STEP = 40;

interface Offset {
  x: number;
  y: number;
}

function isTyping(target: EventTarget | null) {
  return target instanceof HTMLElement && !!target.closest('input, select, textarea, [contenteditable="true"]');
}

/**
 * An image document in a dialog: zoom in/out/reset (buttons, and + − 0 on the
 * keyboard), pan by dragging or with the arrow keys once zoomed. Escape
 * closes it and focus goes back where it was. The image comes from a fresh
 * download URL each time the viewer opens.
 */
export function DocumentViewer({
  doc,
  numbering,
  onClose,
  onDownload,
}: {
  doc: PatientDocument;
  numbering: Numbering;
  onClose: () => void;
  onDownload: (doc: PatientDocument) => void;
}) {
  const download = useDocumentDownload(doc.id, 'inline');
  const [zoom, setZoom] = useState(0);
  const [offset, setOffset] = useState<Offset>({ x: 0, y: 0 });
  const stageRef = useRef<HTMLDivElement>(null);
  const drag = useRef<{ id: number; x: number; y: number; start: Offset } | null>(null);
  const scale = ZOOM_STEPS[zoom]!;
  const name = documentName(doc, numbering);

  const clamp = (next: Offset, s = scale): Offset => {
    const stage = stageRef.current;
    const maxX = stage ? ((s - 1) * stage.clientWidth) / 2 : 0;
    const maxY = stage ? ((s - 1) * stage.clientHeight) / 2 : 0;
    return { x: Math.max(-maxX, Math.min(maxX, next.x)), y: Math.max(-maxY, Math.min(maxY, next.y)) };
  };

  const zoomTo = (step: number) => {
    const next = Math.max(0, Math.min(ZOOM_STEPS.length - 1, step));
    setZoom(next);
    setOffset((o) => (next === 0 ? { x: 0, y: 0 } : clamp(o, ZOOM_STEPS[next])));
  };
  const zoomIn = () => zoomTo(zoom + 1);
  const zoomOut = () => zoomTo(zoom - 1);
  const reset = () => zoomTo(0);

  // + − 0 anywhere in the viewer (not while typing, not with Ctrl/⌘: that is the browser's zoom).
  const keys = useRef({ zoomIn, zoomOut, reset });
  keys.current = { zoomIn, zoomOut, reset };
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (event.key === '+' || event.key === '=') keys.current.zoomIn();
      else if (event.key === '-' || event.key === '−' || event.key === '_') keys.current.zoomOut();
      else if (event.key === '0') keys.current.reset();
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  function onStageKey(event: KeyboardEvent<HTMLDivElement>) {
    if (zoom === 0) return;
    const moves: Record<string, Offset> = {
      ArrowLeft: { x: PAN_STEP, y: 0 },
      ArrowRight: { x: -PAN_STEP, y: 0 },
      ArrowUp: { x: 0, y: PAN_STEP },
      ArrowDown: { x: 0, y: -PAN_STEP },
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    setOffset((o) => clamp({ x: o.x + move.x, y: o.y + move.y }));
  }

  function onPointerDown(event: PointerEvent<HTMLDivElement>) {
    if (zoom === 0 || event.button !== 0) return;
    event.currentTarget.setPointerCapture?.(event.pointerId);
    drag.current = { id: event.pointerId, x: event.clientX, y: event.clientY, start: offset };
  }
  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    const d = drag.current;
    if (!d || d.id !== event.pointerId) return;
    setOffset(clamp({ x: d.start.x + event.clientX - d.x, y: d.start.y + event.clientY - d.y }));
  }
  function endDrag(event: PointerEvent<HTMLDivElement>) {
    if (drag.current?.id === event.pointerId) drag.current = null;
  }

  return (
    <Dialog
      open
      onClose={onClose}
      title={name}
      size="lg"
      className="doc-viewer"
      initialFocusRef={stageRef}
      description={
        <p>
          {doc.description ? `${doc.description} · ` : ''}
          {doc.fileName}
        </p>
      }
    >
      <div className="doc-viewer__toolbar" role="toolbar" aria-label="Zoom">
        <button type="button" className="button-secondary" onClick={zoomOut} disabled={zoom === 0} aria-keyshortcuts="-">
          <span aria-hidden="true">−</span> <span className="doc-viewer__word">Zoom</span> out
        </button>
        <output className="doc-viewer__level" aria-live="polite" aria-label="Zoom level">
          {Math.round(scale * 100)}%
        </output>
        <button
          type="button"
          className="button-secondary"
          onClick={zoomIn}
          disabled={zoom === ZOOM_STEPS.length - 1}
          aria-keyshortcuts="+"
        >
          <span aria-hidden="true">+</span> <span className="doc-viewer__word">Zoom</span> in
        </button>
        <button type="button" className="button-secondary" onClick={reset} disabled={zoom === 0} aria-keyshortcuts="0">
          Reset
        </button>
        <button type="button" className="button-ghost doc-viewer__download" onClick={() => onDownload(doc)}>
          Download
        </button>
      </div>
      <p className="doc-viewer__hint muted" id={`doc-viewer-hint-${doc.id}`}>
        Keys: + zoom in, − zoom out, 0 reset; when zoomed, drag the image or use the arrow keys to move it.
      </p>
      <div
        ref={stageRef}
        className={`doc-viewer__stage${zoom > 0 ? ' doc-viewer__stage--zoomed' : ''}`}
        tabIndex={0}
        role="group"
        aria-label={`${name}, zoom ${Math.round(scale * 100)}%`}
        aria-describedby={`doc-viewer-hint-${doc.id}`}
        onKeyDown={onStageKey}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        data-scale={scale}
      >
        {download.isError ? (
          <ErrorNotice error={download.error} title="Could not open the image" onRetry={() => void download.refetch()} />
        ) : download.data ? (
          <img
            className="doc-viewer__image"
            src={download.data.downloadUrl}
            alt={name}
            draggable={false}
            style={{ transform: `translate(${offset.x}px, ${offset.y}px) scale(${scale})` }}
          />
        ) : (
          <p className="doc-viewer__loading">Loading the image…</p>
        )}
      </div>
    </Dialog>
  );
}
