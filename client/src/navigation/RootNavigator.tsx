import { createBottomTabNavigator } from '@react-navigation/bottom-tabs';
import { createNativeStackNavigator } from '@react-navigation/native-stack';

import { t } from '../i18n';
import { ChatScreen } from '../screens/Chat/ChatScreen';
import { ContactsScreen } from '../screens/Contacts/ContactsScreen';
import { ConversationsScreen } from '../screens/Conversations/ConversationsScreen';
import { FriendRequestsScreen } from '../screens/FriendRequests/FriendRequestsScreen';
import { NewTicketScreen } from '../screens/NewTicket/NewTicketScreen';
import { NotificationsScreen } from '../screens/Notifications/NotificationsScreen';
import { AdminHomeScreen } from '../screens/Admin/AdminHomeScreen';
import { WebhooksScreen } from '../screens/Admin/Webhooks/WebhooksScreen';
import { DashboardScreen } from '../screens/Admin/Dashboard/DashboardScreen';
import { RoutingScreen } from '../screens/Admin/RoutingScreen';
import { SlaTargetsScreen } from '../screens/Admin/SlaTargetsScreen';
import { TeamsScreen } from '../screens/Admin/TeamsScreen';
import { UsersScreen } from '../screens/Admin/UsersScreen';
import { AcceptInviteScreen } from '../screens/AcceptInvite/AcceptInviteScreen';
import { AuditLogScreen } from '../screens/Admin/AuditLogScreen';
import { CannedResponsesScreen } from '../screens/CannedResponses/CannedResponsesScreen';
import { ProfileScreen } from '../screens/Profile/ProfileScreen';
import { RegisterScreen } from '../screens/Register/RegisterScreen';
import { SearchScreen } from '../screens/Search/SearchScreen';
import { SignInScreen } from '../screens/SignIn/SignInScreen';
import { TicketDetailScreen } from '../screens/TicketDetail/TicketDetailScreen';
import { TicketsScreen } from '../screens/Tickets/TicketsScreen';
import { UserSearchScreen } from '../screens/UserSearch/UserSearchScreen';
import { useAppSelector } from '../state/hooks';
import { useGetNotificationsQuery } from '../state/queries/notifications';
import { useGetUnreadQuery } from '../state/queries/conversations';
import { useGetFriendRequestsQuery } from '../state/queries/people';
import { unreadTotals } from '../state/unread';
import { useTheme } from '../theme';
import type { HomeTabParamList, RootStackParamList } from './types';
import { Icon, type IconName } from '../components/Icon';

const Stack = createNativeStackNavigator<RootStackParamList>();
const Tab = createBottomTabNavigator<HomeTabParamList>();

const icon = (name: IconName) =>
  function TabIcon({ color, size }: { color: string; size: number }) {
    return <Icon name={name} color={color} size={size} />;
  };

/** A tab's badge: the count, "99+" above 99, none at 0. */
export function badge(count: number): string | undefined {
  if (count <= 0) return undefined;
  return count > 99 ? '99+' : String(count);
}

function HomeTabs() {
  // Fetched at sign-in (and after each reconnect); frames keep the `unread` slice live.
  useGetUnreadQuery();
  const unread = useAppSelector((s) => s.unread);
  const { tickets: unreadTickets, direct: unreadChats } = unreadTotals(unread);
  const unreadNotifications = useGetNotificationsQuery().data?.unread_count ?? 0;
  const incoming = useGetFriendRequestsQuery().data?.incoming.length ?? 0;
  const { colors, dark } = useTheme();
  // The badge in the theme's colours, readable in both (dark text on dark mode's lighter red),
  // and its count in the tab's accessible name.
  const badgeStyle = { backgroundColor: colors.danger, color: dark ? colors.onPrimary : '#ffffff' };
  const label = (key: Parameters<typeof t>[0], count: number) =>
    count > 0 ? t('tabs.withUnread', { label: t(key), count }) : t(key);
  return (
    <Tab.Navigator screenOptions={{ headerShown: false }}>
      <Tab.Screen
        name="Tickets"
        component={TicketsScreen}
        options={{
          title: t('tabs.tickets'),
          tabBarButtonTestID: 'tab-tickets',
          tabBarAccessibilityLabel: label('tabs.tickets', unreadTickets),
          tabBarIcon: icon('ticket-outline'),
          tabBarBadge: badge(unreadTickets),
          tabBarBadgeStyle: badgeStyle,
        }}
      />
      <Tab.Screen
        name="Conversations"
        component={ConversationsScreen}
        options={{
          title: t('tabs.chats'),
          tabBarButtonTestID: 'tab-chats',
          tabBarAccessibilityLabel: label('tabs.chats', unreadChats),
          tabBarIcon: icon('chatbubbles-outline'),
          tabBarBadge: badge(unreadChats),
          tabBarBadgeStyle: badgeStyle,
        }}
      />
      <Tab.Screen
        name="Contacts"
        component={ContactsScreen}
        options={{
          title: t('tabs.contacts'),
          tabBarButtonTestID: 'tab-contacts',
          tabBarAccessibilityLabel: t('tabs.contacts'),
          tabBarIcon: icon('people-outline'),
          tabBarBadge: badge(incoming),
          tabBarBadgeStyle: badgeStyle,
        }}
      />
      <Tab.Screen
        name="Notifications"
        component={NotificationsScreen}
        options={{
          title: t('tabs.notifications'),
          tabBarButtonTestID: 'tab-notifications',
          tabBarAccessibilityLabel: t('tabs.notifications'),
          tabBarIcon: icon('notifications-outline'),
          tabBarBadge: badge(unreadNotifications),
          tabBarBadgeStyle: badgeStyle,
        }}
      />
      <Tab.Screen
        name="Search"
        component={SearchScreen}
        options={{
          title: t('tabs.search'),
          tabBarButtonTestID: 'tab-search',
          tabBarAccessibilityLabel: t('tabs.search'),
          tabBarIcon: icon('search-outline'),
        }}
      />
      <Tab.Screen
        name="Profile"
        component={ProfileScreen}
        options={{
          title: t('tabs.profile'),
          tabBarButtonTestID: 'tab-profile',
          tabBarAccessibilityLabel: t('tabs.profile'),
          tabBarIcon: icon('person-circle-outline'),
        }}
      />
    </Tab.Navigator>
  );
}

export function RootNavigator() {
  const status = useAppSelector((s) => s.auth.status);
  return (
    <Stack.Navigator>
      {status === 'signedIn' ? (
        <Stack.Group>
          <Stack.Screen
            name="Home"
            component={HomeTabs}
            options={{ headerShown: false, title: t('app.name') }}
          />
          <Stack.Screen
            name="NewTicket"
            component={NewTicketScreen}
            options={{ title: t('newTicket.title') }}
          />
          <Stack.Screen
            name="TicketDetail"
            component={TicketDetailScreen}
            options={{ title: t('tickets.title') }}
          />
          <Stack.Screen name="Chat" component={ChatScreen} options={{ title: t('chats.title') }} />
          <Stack.Screen
            name="FriendRequests"
            component={FriendRequestsScreen}
            options={{ title: t('requests.title') }}
          />
          <Stack.Screen
            name="UserSearch"
            component={UserSearchScreen}
            options={{ title: t('search.title') }}
          />
          <Stack.Screen
            name="CannedResponses"
            component={CannedResponsesScreen}
            options={{ title: t('canned.title') }}
          />
          <Stack.Screen
            name="Admin"
            component={AdminHomeScreen}
            options={{ title: t('admin.title') }}
          />
          <Stack.Screen
            name="AdminUsers"
            component={UsersScreen}
            options={{ title: t('admin.users.title') }}
          />
          <Stack.Screen
            name="AdminTeams"
            component={TeamsScreen}
            options={{ title: t('admin.teams.title') }}
          />
          <Stack.Screen
            name="AdminWebhooks"
            component={WebhooksScreen}
            options={{ title: t('webhooks.title') }}
          />
          <Stack.Screen
            name="Dashboard"
            component={DashboardScreen}
            options={{ title: t('dashboard.title') }}
          />
          <Stack.Screen
            name="AdminSla"
            component={SlaTargetsScreen}
            options={{ title: t('sla.title') }}
          />
          <Stack.Screen
            name="AdminRouting"
            component={RoutingScreen}
            options={{ title: t('routing.title') }}
          />
          <Stack.Screen
            name="AuditLog"
            component={AuditLogScreen}
            options={{ title: t('audit.title') }}
          />
        </Stack.Group>
      ) : (
        <Stack.Group screenOptions={{ headerShown: false }}>
          <Stack.Screen
            name="SignIn"
            component={SignInScreen}
            options={{ title: t('signIn.title') }}
          />
          <Stack.Screen
            name="Register"
            component={RegisterScreen}
            options={{ title: t('register.title') }}
          />
          <Stack.Screen
            name="AcceptInvite"
            component={AcceptInviteScreen}
            options={{ title: t('invite.title') }}
          />
        </Stack.Group>
      )}
    </Stack.Navigator>
  );
}
