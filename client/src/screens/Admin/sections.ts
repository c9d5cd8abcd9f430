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
  { route: 'AuditLog', title: 'audit.title', icon: 'document-text-outline', testID: 'admin-audit' },
];
