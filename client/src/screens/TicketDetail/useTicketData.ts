import type { Id } from '../../api/types';
import { isStaffRole } from '../../state/auth';
import { useAppSelector } from '../../state/hooks';
import {
  selectTicket,
  useGetTeamsQuery,
  useGetTicketEventsQuery,
  useGetTicketQuery,
} from '../../state/queries/tickets';

/** A ticket, its history and (for staff) the teams, loaded and kept current by the socket. */
export function useTicketData(id: Id) {
  const role = useAppSelector((s) => s.auth.user?.role);
  const isStaff = isStaffRole(role);
  const { error } = useGetTicketQuery(id, { refetchOnMountOrArgChange: true });
  // The newest copy held anywhere: a list row shows at once, live frames win over late answers.
  const ticket = useAppSelector((s) => selectTicket(s, id));
  const events = useGetTicketEventsQuery(id, { refetchOnMountOrArgChange: true }).data;
  useGetTeamsQuery(undefined, { skip: !isStaff });
  const notFound = !!error && (error as { status?: number | null }).status === 404;
  return { ticket, events, isStaff, notFound };
}
