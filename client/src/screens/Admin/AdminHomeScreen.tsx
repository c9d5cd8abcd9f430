import { useNavigation } from '@react-navigation/native';

import { Button } from '../../components/Button';
import { Muted, Screen, Title } from '../../components/Screen';
import { t } from '../../i18n';
import { adminSections } from './sections';

/** The admin area's start: one button per admin screen. The server checks every admin call. */
export function AdminHomeScreen() {
  const navigation = useNavigation();
  return (
    <Screen testID="admin-home" scroll>
      <Title>{t('admin.title')}</Title>
      <Muted>{t('admin.intro')}</Muted>
      {adminSections.map((s) => (
        <Button
          key={s.route}
          variant="secondary"
          icon={s.icon}
          title={t(s.title)}
          testID={s.testID}
          style={{ marginTop: 12 }}
          // Every admin route takes no params; the registry's type can't say so per entry.
          onPress={() => navigation.navigate(s.route as never)}
        />
      ))}
    </Screen>
  );
}
