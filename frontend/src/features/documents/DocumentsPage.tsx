import { useId, useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  DOCUMENT_KINDS,
  DOCUMENT_KIND_LABELS,
  fetchDocumentDownload,
  formatBytes,
  isImageType,
  kindLabel,
  useArchiveDocument,
  useDocuments,
  type DocumentKind,
  type PatientDocument,
} from '../../api/documents';
import { usePatient } from '../../api/patients';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PatientHeader } from '../../components/PatientHeader';
import { Skeleton } from '../../components/Skeleton';
import { toothLabel, type Numbering } from '../../lib/teeth';
import { formatDateTime, formatLongDate, todayInZone } from '../../lib/time';
import { toastError, toastSuccess } from '../../lib/toast';
import { useClinicTimeZone, useSessionStore } from '../../lib/session';
import { DocumentViewer } from './DocumentViewer';
import { documentName, ToothOptions } from './teeth';
import { UploadPanel } from './UploadPanel';
import { patientPending } from '../../components/PatientPending';

const TYPE_BADGE: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/dicom': 'DICOM',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
};

const STATUS_TEXT: Partial<Record<PatientDocument['status'], string>> = {
  archived: 'Archived',
  pending: 'Upload not finished',
  rejected: 'Rejected',
};

/** Opens a URL the browser downloads (Content-Disposition: attachment) without leaving the page. */
function startDownload(url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** `/patients/:id/documents`: upload, thumbnails, the image viewer, filters, archive. All staff. */
export default function DocumentsPage() {
  const { id = '' } = useParams();
  const role = useSessionStore((s) => s.user?.role);
  const numbering: Numbering = useSessionStore((s) => s.clinic?.settings?.toothNumbering) ?? 'universal';
  const timeZone = useClinicTimeZone();
  const filterId = useId();
  const patient = usePatient(id);
  const [kind, setKind] = useState<DocumentKind | ''>('');
  const [tooth, setTooth] = useState('');
  const [showArchived, setShowArchived] = useState(false);
  const list = useDocuments(id, { kind, tooth, status: showArchived ? 'all' : 'stored' });
  const archive = useArchiveDocument(id);
  const [viewing, setViewing] = useState<PatientDocument | null>(null);
  const [archiving, setArchiving] = useState<PatientDocument | null>(null);

  const gate = patientPending(patient, 'Documents');
  if (gate || !patient.data) return gate;

  async function download(doc: PatientDocument) {
    try {
      const fresh = await fetchDocumentDownload(doc.id, 'attachment');
      startDownload(fresh.downloadUrl);
    } catch (error) {
      toastError(error);
    }
  }

  async function openPdf(doc: PatientDocument) {
    // Opened now, while the click still counts, so no pop-up blocker stops it; the URL follows.
    const tab = window.open('', '_blank');
    try {
      const fresh = await fetchDocumentDownload(doc.id, 'inline');
      if (tab) {
        tab.opener = null;
        tab.location.href = fresh.downloadUrl;
      } else {
        window.location.assign(fresh.downloadUrl);
      }
    } catch (error) {
      tab?.close();
      toastError(error);
    }
  }

  async function doArchive() {
    if (!archiving) return;
    try {
      await archive.mutateAsync(archiving.id);
      toastSuccess(`${documentName(archiving, numbering)} archived.`);
      setArchiving(null);
    } catch (error) {
      toastError(error);
    }
  }

  const docs = list.data ?? [];
  const filtered = kind !== '' || tooth !== '';

  return (
    <main id="main" className="page doc-page">
      <PatientHeader patient={patient.data} role={role} section="Documents" />

      <UploadPanel patientId={id} numbering={numbering} today={todayInZone(timeZone)} />

      <section className="doc-library" aria-labelledby={`${filterId}-title`}>
        <div className="doc-library__header">
          <h2 id={`${filterId}-title`} className="section-title">
            {showArchived ? 'All documents' : 'Documents'}
            {list.data && <span className="muted"> ({docs.length})</span>}
          </h2>
          <form className="doc-filters" aria-label="Filter documents" onSubmit={(e) => e.preventDefault()}>
            <div className="field">
              <label htmlFor={`${filterId}-kind`}>Kind</label>
              <select id={`${filterId}-kind`} value={kind} onChange={(e) => setKind(e.target.value as DocumentKind | '')}>
                <option value="">All kinds</option>
                {DOCUMENT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {DOCUMENT_KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${filterId}-tooth`}>Tooth</label>
              <select id={`${filterId}-tooth`} value={tooth} onChange={(e) => setTooth(e.target.value)}>
                <option value="">Any tooth</option>
                <ToothOptions numbering={numbering} />
              </select>
            </div>
            <label className="checkbox doc-filters__archived">
              <input type="checkbox" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
              Show archived
            </label>
          </form>
        </div>

        {list.isError ? (
          <ErrorNotice error={list.error} title="Could not load the documents" onRetry={() => void list.refetch()} />
        ) : list.isPending ? (
          <Skeleton lines={4} label="Loading documents…" />
        ) : docs.length === 0 ? (
          <p className="muted doc-empty">
            {filtered ? 'No documents match these filters.' : 'No documents yet. Add x-rays, photos, letters or scanned forms above.'}
          </p>
        ) : (
          <ul className="doc-grid" aria-label="Documents">
            {docs.map((doc) => (
              <DocumentCard
                key={doc.id}
                doc={doc}
                numbering={numbering}
                timeZone={timeZone}
                onView={() => setViewing(doc)}
                onOpenPdf={() => void openPdf(doc)}
                onDownload={() => void download(doc)}
                onArchive={() => setArchiving(doc)}
              />
            ))}
          </ul>
        )}
      </section>

      {viewing && (
        <DocumentViewer doc={viewing} numbering={numbering} onClose={() => setViewing(null)} onDownload={(d) => void download(d)} />
      )}

      <Dialog
        open={!!archiving}
        onClose={() => setArchiving(null)}
        size="sm"
        title={archiving ? `Archive ${documentName(archiving, numbering)}?` : ''}
        description={
          <p>It leaves the list but stays in the patient’s record: tick “Show archived” to see it again. Nothing is deleted.</p>
        }
      >
        <div className="button-row">
          <button type="button" className="button-danger" onClick={() => void doArchive()} disabled={archive.isPending}>
            {archive.isPending ? 'Archiving…' : 'Archive'}
          </button>
          <button type="button" className="button-secondary" onClick={() => setArchiving(null)}>
            Keep it
          </button>
        </div>
      </Dialog>
    </main>
  );
}

function DocumentCard({
  doc,
  numbering,
  timeZone,
  onView,
  onOpenPdf,
  onDownload,
  onArchive,
}: {
  doc: PatientDocument;
  numbering: Numbering;
  timeZone: string;
  onView: () => void;
  onOpenPdf: () => void;
  onDownload: () => void;
  onArchive: () => void;
}) {
  const name = documentName(doc, numbering);
  const stored = doc.status === 'stored';
  const image = isImageType(doc.contentType);
  const pdf = doc.contentType === 'application/pdf';
  const dicom = doc.contentType === 'application/dicom';
  const status = STATUS_TEXT[doc.status];
  const typeBadge = TYPE_BADGE[doc.contentType] ?? 'File';

  let thumb;
  if (image && (stored || doc.status === 'archived')) {
    thumb = (
      <button type="button" className="doc-card__thumb doc-card__thumb--image" onClick={onView}>
        <span className="doc-card__thumb-label">View</span>{' '}
        {doc.previewUrl ? (
          <img src={doc.previewUrl} loading="lazy" alt={name} />
        ) : (
          <span className="doc-card__type">
            {typeBadge}
            <span className="visually-hidden"> {name}</span>
          </span>
        )}
      </button>
    );
  } else if (pdf && stored) {
    thumb = (
      <button type="button" className="doc-card__thumb" onClick={onOpenPdf}>
        <span className="doc-card__thumb-label">Open PDF</span>{' '}
        <span className="doc-card__type" aria-hidden="true">
          PDF
        </span>
        <span className="visually-hidden">{name} (opens in a new tab)</span>
      </button>
    );
  } else {
    thumb = (
      <div className="doc-card__thumb doc-card__thumb--static">
        <span className="doc-card__type">{typeBadge}</span>
        {dicom && stored && <span className="doc-card__thumb-note">Download to view in imaging software</span>}
      </div>
    );
  }

  return (
    <li className={`doc-card doc-card--${doc.status}`} data-document={doc.id}>
      {thumb}
      <div className="doc-card__body">
        <h3 className="doc-card__title">
          {kindLabel(doc.kind)}
          {doc.tooth && <span className="doc-card__tooth"> · Tooth {toothLabel(doc.tooth, numbering)}</span>}
        </h3>
        {status && <p className={`doc-status doc-status--${doc.status}`}>{status}</p>}
        <p className="doc-card__meta">{doc.takenOn ? `Taken ${formatLongDate(doc.takenOn)}` : 'Date taken not recorded'}</p>
        {doc.description && <p className="doc-card__description">{doc.description}</p>}
        <p className="doc-card__meta doc-card__file">
          {doc.fileName} · {typeBadge} · {formatBytes(doc.size)}
        </p>
        <p className="doc-card__meta">
          Added {formatDateTime(doc.createdAt, timeZone)}
          {doc.archivedAt ? ` · archived ${formatDateTime(doc.archivedAt, timeZone)}` : ''}
        </p>
      </div>
      {(stored || doc.status === 'archived') && (
        <div className="button-row doc-card__actions">
          <button type="button" className="button-secondary" onClick={onDownload}>
            Download <span className="visually-hidden">{name}</span>
          </button>
          {stored && (
            <button type="button" className="button-danger-outline" onClick={onArchive}>
              Archive <span className="visually-hidden">{name}</span>
            </button>
          )}
        </div>
      )}
    </li>
  );
}
