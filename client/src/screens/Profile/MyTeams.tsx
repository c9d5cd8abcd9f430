import { Muted } from '../../components/Screen';
import { t } from '../../i18n';
import { useAppSelector } from '../../state/hooks';
import { useGetTeamsQuery } from '../../state/queries/tickets';

/** Staff: the teams they are in (an admin sets them on the Teams screen). */
export function MyTeams() {
  const me = useAppSelector((s) => s.auth.user);
  const teams = useGetTeamsQuery(undefined, { refetchOnMountOrArgChange: true }).data;
  if (!me || !teams) return null;
  const mine = teams.filter((tm) => tm.members.some((m) => m.id === me.id)).map((tm) => tm.name);
  return (
    <Muted testID="profile-teams">
      {t('profile.teams', { teams: mine.length > 0 ? mine.join(', ') : t('common.none') })}
    </Muted>
  );
}
