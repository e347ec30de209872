import { useEffect, useId, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

export function focusableIn(container: HTMLElement): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.closest('[inert]') && el.getAttribute('aria-hidden') !== 'true',
  );
}

/** Open dialogs, bottom to top: only the top one is interactive. */
const stack: HTMLElement[] = [];

function syncInert() {
  const root = document.getElementById('root');
  if (root) root.inert = stack.length > 0;
  stack.forEach((el, i) => {
    el.inert = i !== stack.length - 1;
  });
}

export interface DialogProps {
  open: boolean;
  /** Called on Escape and on the close button. */
  onClose: () => void;
  title: ReactNode;
  /** Rendered under the title and used as the accessible description. */
  description?: ReactNode;
  children?: ReactNode;
  /** `alertdialog` for urgent questions such as the idle warning. */
  role?: 'dialog' | 'alertdialog';
  /** What gets focus when the dialog opens; the dialog itself by default. */
  initialFocusRef?: RefObject<HTMLElement | null>;
  size?: 'sm' | 'md' | 'lg';
  /** Hide the × button (the dialog must then offer its own way out). */
  hideCloseButton?: boolean;
  className?: string;
}

/**
 * A modal dialog: focus moves in when it opens and back when it closes, Tab
 * cycles inside it, Escape closes it, and everything behind it is inert.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  role = 'dialog',
  initialFocusRef,
  size = 'md',
  hideCloseButton = false,
  className,
}: DialogProps) {
  const id = useId();
  const titleId = `${id}-title`;
  const descriptionId = `${id}-description`;
  const ref = useRef<HTMLDivElement>(null);
  const layerRef = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useLayoutEffect(() => {
    if (!open) return;
    const layer = layerRef.current;
    if (!layer) return;
    const previouslyFocused = document.activeElement as HTMLElement | null;
    stack.push(layer);
    syncInert();
    const target = initialFocusRef?.current ?? ref.current;
    target?.focus();

    // Escape and Tab work even when focus has slipped out of the dialog
    // (say, the focused button disappeared after an action).
    const onDocumentKeyDown = (event: globalThis.KeyboardEvent) => {
      if (stack[stack.length - 1] !== layer || event.defaultPrevented) return;
      const dialog = ref.current;
      if (!dialog) return;
      if (event.key === 'Escape') {
        event.preventDefault();
        onCloseRef.current();
      } else if (event.key === 'Tab' && !dialog.contains(document.activeElement)) {
        event.preventDefault();
        (focusableIn(dialog)[0] ?? dialog).focus();
      }
    };
    document.addEventListener('keydown', onDocumentKeyDown);
    return () => {
      document.removeEventListener('keydown', onDocumentKeyDown);
      const index = stack.indexOf(layer);
      if (index >= 0) stack.splice(index, 1);
      syncInert();
      if (previouslyFocused && previouslyFocused.isConnected && typeof previouslyFocused.focus === 'function') {
        previouslyFocused.focus();
      }
    };
    // Focus moves once per opening; later prop changes must not steal it.
  }, [open]);

  useEffect(() => {
    if (!open) return;
    document.body.classList.add('has-dialog');
    return () => {
      if (stack.length === 0) document.body.classList.remove('has-dialog');
    };
  }, [open]);

  if (!open) return null;

  // Escape is handled on the document (above); Tab is kept inside here.
  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key !== 'Tab' || !ref.current) return;
    const items = focusableIn(ref.current);
    if (items.length === 0) {
      event.preventDefault();
      ref.current.focus();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === ref.current)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return createPortal(
    <div className="dialog-layer" ref={layerRef}>
      <div className="dialog-backdrop" aria-hidden="true" />
      <div
        ref={ref}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        className={`dialog dialog--${size}${className ? ` ${className}` : ''}`}
        onKeyDown={handleKeyDown}
      >
        <div className="dialog__header">
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          {!hideCloseButton && (
            <button type="button" className="button-ghost dialog__close" onClick={() => onCloseRef.current()}>
              Close<span className="visually-hidden"> dialog</span>
            </button>
          )}
        </div>
        {description && (
          <div id={descriptionId} className="dialog__description">
            {description}
          </div>
        )}
        <div className="dialog__body">{children}</div>
      </div>
    </div>,
    document.body,
  );
}
