import type { LinkingOptions } from '@react-navigation/native';

import { notificationLinking } from '../lib/notificationLinks';
import { appScheme } from '../lib/pushRoute';
import type { RootStackParamList } from './types';

/** Every screen has a web URL (and on Android a `switchboard://` link: a tapped push opens one). */
export const linking: LinkingOptions<RootStackParamList> = {
  prefixes: [appScheme],
  ...notificationLinking,
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
