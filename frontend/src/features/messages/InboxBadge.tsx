import { INBOX_ROLES, UNREAD_LIMIT, useInboxUnread } from '../../api/messages';
import { useSessionStore } from '../../lib/session';

/** The unread count beside "Inbox" in the staff navigation: nothing when there is none (or it cannot be read). */
export function InboxBadge() {
  const role = useSessionStore((s) => s.user?.role);
  const unread = useInboxUnread(!!role && (INBOX_ROLES as readonly string[]).includes(role));
  const count = unread.data?.count ?? 0;
  if (!count) return null;
  const shown = unread.data?.more ? `${UNREAD_LIMIT - 1}+` : String(count);
  return (
    <span className="nav-badge">
      <span aria-hidden="true">{shown}</span>
      <span className="visually-hidden">, {shown} unread</span>
    </span>
  );
}
