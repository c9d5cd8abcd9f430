import { useEffect, useState } from 'react';

import { toApiFailure } from '../../api/client';
import { getTicket } from '../../api/tickets';
import type { Id } from '../../api/types';
import { isStaffRole } from '../../state/auth';
import { useAppDispatch, useAppSelector } from '../../state/hooks';
import { fetchTeams, fetchTicketEvents, ticketUpserted } from '../../state/tickets';

/** A ticket, its history and (for staff) the teams, loaded and kept current in the store. */
export function useTicketData(id: Id) {
  const dispatch = useAppDispatch();
  const ticket = useAppSelector((s) => s.tickets.byId[String(id)]);
  const events = useAppSelector((s) => s.tickets.events[String(id)]);
  const role = useAppSelector((s) => s.auth.user?.role);
  const myId = useAppSelector((s) => s.auth.user?.id ?? null);
  const isStaff = isStaffRole(role);
  const [notFound, setNotFound] = useState<Id | null>(null);

  useEffect(() => {
    getTicket(id)
      .then((tk) => dispatch(ticketUpserted({ ticket: tk, myId })))
      .catch((e) => {
        if (toApiFailure(e).status === 404) setNotFound(id);
      });
    if (isStaff) void dispatch(fetchTeams());
  }, [dispatch, id, isStaff, myId]);

  // History changes with every version.
  const version = ticket?.version;
  useEffect(() => {
    if (version != null) void dispatch(fetchTicketEvents(id));
  }, [dispatch, id, version]);

  return { ticket, events, isStaff, notFound: notFound === id };
}
