import type { IconName } from '../../components/Icon';
import type { StringKey } from '../../i18n';
import type { RootStackParamList } from '../../navigation/types';

/** One entry of the admin home: the screen it opens, its title and icon. */
export type AdminSection = {
  route: keyof RootStackParamList;
  title: StringKey;
  icon: IconName;
  testID: string;
};

/**
 * The admin area's screens, in the order the admin home lists them. A new admin screen adds
 * its route to navigation/types.ts, RootNavigator and linking.ts, and one line here.
 */
export const adminSections: AdminSection[] = [
  {
    route: 'AdminUsers',
    title: 'admin.users.title',
    icon: 'people-outline',
    testID: 'admin-users-link',
  },
  {
    route: 'AdminTeams',
    title: 'admin.teams.title',
    icon: 'people-circle-outline',
    testID: 'admin-teams-link',
  },
  {
    route: 'AdminWebhooks',
    title: 'webhooks.title',
    icon: 'git-network-outline',
    testID: 'admin-webhooks',
  },
  {
    route: 'Dashboard',
    title: 'dashboard.title',
    icon: 'stats-chart-outline',
    testID: 'admin-dashboard',
  },
  { route: 'AdminSla', title: 'sla.title', icon: 'timer-outline', testID: 'admin-sla' },
  {
    route: 'AdminRouting',
    title: 'routing.title',
    icon: 'git-branch-outline',
    testID: 'admin-routing',
  },
  { route: 'AuditLog', title: 'audit.title', icon: 'document-text-outline', testID: 'admin-audit' },
];
