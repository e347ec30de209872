import { useEffect, useState } from 'react';

/** "4:59" until `expiresAt`, ticking every second; "expired" after. */
export function Countdown({ expiresAt, now: nowProp }: { expiresAt: string; now?: () => number }) {
  const now = nowProp ?? Date.now;
  const [left, setLeft] = useState(() => new Date(expiresAt).getTime() - now());
  useEffect(() => {
    const tick = () => setLeft(new Date(expiresAt).getTime() - now());
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [expiresAt, now]);
  if (left <= 0) return <span className="countdown countdown--expired">offer expired</span>;
  const total = Math.ceil(left / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const text = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
  return (
    <span className="countdown">
      expires in <time dateTime={expiresAt}>{text}</time>
    </span>
  );
}
