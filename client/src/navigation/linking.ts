import type { LinkingOptions } from '@react-navigation/native';

import type { RootStackParamList } from './types';

/** Every screen has a web URL. */
export const linking: LinkingOptions<RootStackParamList> = {
  prefixes: ['switchboard://'],
  config: {
    screens: {
      SignIn: 'signin',
      Register: 'register',
      Home: {
        path: '',
        screens: {
          Tickets: 'tickets',
          Conversations: 'chats',
          Contacts: 'contacts',
          Notifications: 'notifications',
          Search: 'search',
          Profile: 'profile',
        },
      },
      NewTicket: 'tickets/new',
      TicketDetail: { path: 'tickets/:id', parse: { id: Number, seq: Number } },
      Chat: { path: 'chats/:id', parse: { id: Number, seq: Number } },
      FriendRequests: 'contacts/requests',
      UserSearch: 'people',
      CannedResponses: 'profile/canned-responses',
      Admin: 'admin',
      AdminWebhooks: 'admin/webhooks',
      Dashboard: 'admin/dashboard',
      AdminSla: 'admin/sla',
      AdminRouting: 'admin/routing',
      AdminUsers: 'admin/users',
      AdminTeams: 'admin/teams',
      AcceptInvite: 'accept-invite',
      AuditLog: 'admin/audit',
    },
  },
};
