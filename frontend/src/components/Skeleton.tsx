/** Placeholder blocks while data loads; hidden from assistive tech, which gets the label instead. */
export function Skeleton({ lines = 3, label = 'Loading…' }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton__line" aria-hidden="true" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  );
}

export function PageSkeleton({ label = 'Loading…' }: { label?: string }) {
  return (
    <main id="main" className="page page--loading">
      <Skeleton lines={6} label={label} />
    </main>
  );
}
