import type { Id, Priority, TicketEvent, TicketStatus } from '../../api/types';
import { PRIORITIES, STATUSES } from '../../api/types';
import { t } from '../../i18n';

/** Names the history can show instead of ids: people and teams the app knows about. */
export interface Names {
  users: Map<Id, string>;
  teams: Map<Id, string>;
}

const FIELDS = {
  status: 'ticket.status',
  priority: 'ticket.priority',
  assignee: 'ticket.assignee',
  team: 'ticket.team',
  tags: 'ticket.tags',
} as const;

function fieldName(field: string): string {
  const key = FIELDS[field as keyof typeof FIELDS];
  return key ? t(key).toLowerCase() : field;
}

function value(field: string, raw: string | null | undefined, names: Names): string {
  if (raw == null || raw === '') return '—';
  switch (field) {
    case 'status':
      return (STATUSES as readonly string[]).includes(raw)
        ? t(`status.${raw as TicketStatus}`)
        : raw;
    case 'priority':
      return (PRIORITIES as readonly string[]).includes(raw)
        ? t(`priority.${raw as Priority}`)
        : raw;
    case 'assignee':
      return names.users.get(Number(raw)) ?? t('ticket.someone', { id: raw });
    case 'team':
      return names.teams.get(Number(raw)) ?? t('ticket.someTeam', { id: raw });
    case 'tags':
      try {
        const tags = JSON.parse(raw) as unknown;
        return Array.isArray(tags) ? tags.join(', ') || '—' : raw;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

/** One history line: "Ana Agent changed Assignee: — → Ana Agent". */
export function describeEvent(ev: TicketEvent, names: Names): string {
  return t('ticket.event', {
    actor: ev.actor.display_name,
    field: fieldName(ev.field),
    from: value(ev.field, ev.old_value, names),
    to: value(ev.field, ev.new_value, names),
  });
}
