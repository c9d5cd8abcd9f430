import type { NavigatorScreenParams } from '@react-navigation/native';
import type { NativeStackScreenProps } from '@react-navigation/native-stack';

export type HomeTabParamList = {
  Tickets: undefined;
  Conversations: undefined;
  Contacts: undefined;
  Notifications: undefined;
  Search: undefined;
  Profile: undefined;
};

export type RootStackParamList = {
  SignIn: undefined;
  Register: undefined;
  Home: NavigatorScreenParams<HomeTabParamList> | undefined;
  NewTicket: undefined;
  /** `seq`: open at this message (a search hit). */
  TicketDetail: { id: number; seq?: number };
  Chat: { id: number; seq?: number };
  FriendRequests: undefined;
  UserSearch: undefined;
  CannedResponses: undefined;
  Admin: undefined;
  AdminWebhooks: undefined;
  Dashboard: undefined;
  AdminSla: undefined;
  AdminRouting: undefined;
  AdminUsers: undefined;
  AdminTeams: undefined;
  AcceptInvite: undefined;
  AuditLog: undefined;
};

export type RootScreenProps<T extends keyof RootStackParamList> = NativeStackScreenProps<
  RootStackParamList,
  T
>;

declare global {
  namespace ReactNavigation {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface RootParamList extends RootStackParamList {}
  }
}
