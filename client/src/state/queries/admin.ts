import * as adminApi from '../../api/admin';
import type { Id, Role, Team, User, UserPage } from '../../api/types';
import type { AppDispatch, RootState } from '../store';
import { api, call } from './api';

export type UsersQuery = { q: string; cursor?: number };

/**
 * The admin's people and teams. The users list is one cache entry per search text: "load more"
 * appends the next page to it, and a change made here replaces the user in every entry (so a
 * role change never reloads, or loses, the pages already shown). Teams share the `Teams` tag
 * with the ticket screens' team list, so a change here reaches them too.
 */
export const adminApiSlice = api.injectEndpoints({
  endpoints: (b) => ({
    adminUsers: b.query<UserPage, UsersQuery>({
      queryFn: ({ q, cursor }) => call(() => adminApi.listUsers(q, cursor)),
      serializeQueryArgs: ({ queryArgs }) => ({ q: queryArgs.q }),
      merge: (current, next, { arg }) => {
        if (arg.cursor == null) return next;
        const known = new Set(current.items.map((u) => u.id));
        current.items.push(...next.items.filter((u) => !known.has(u.id)));
        current.next_cursor = next.next_cursor;
      },
      forceRefetch: ({ currentArg, previousArg }) => currentArg?.cursor !== previousArg?.cursor,
    }),
    updateAdminUser: b.mutation<User, { id: Id; role?: Role; disabled?: boolean }>({
      queryFn: ({ id, ...patch }) => call(() => adminApi.updateUser(id, patch)),
      async onQueryStarted(_arg, { dispatch, getState, queryFulfilled }) {
        const { data } = await queryFulfilled.catch(() => ({ data: null }));
        if (data) dispatch(userReplaced(data, getState() as RootState));
      },
      // A role change can take someone off (or make them eligible for) the team screens.
      invalidatesTags: ['Teams'],
    }),
    createAdminUser: b.mutation<adminApi.InvitedUser, adminApi.NewUser>({
      queryFn: (body) => call(() => adminApi.createUser(body)),
    }),
    reinviteAdminUser: b.mutation<adminApi.InvitedUser, Id>({
      queryFn: (id) => call(() => adminApi.reinviteUser(id)),
    }),
    createTeam: b.mutation<Team, string>({
      queryFn: (name) => call(() => adminApi.createTeam(name)),
      invalidatesTags: ['Teams'],
    }),
    renameTeam: b.mutation<Team, { id: Id; name: string }>({
      queryFn: ({ id, name }) => call(() => adminApi.renameTeam(id, name)),
      invalidatesTags: ['Teams'],
    }),
    deleteTeam: b.mutation<null, Id>({
      queryFn: (id) => call(async () => (await adminApi.deleteTeam(id), null)),
      // Its tickets lose the team: lists and open tickets show that.
      invalidatesTags: ['Teams', 'TicketLists', 'Ticket'],
    }),
    addTeamMember: b.mutation<Team, { teamId: Id; userId: Id }>({
      queryFn: ({ teamId, userId }) => call(() => adminApi.addTeamMember(teamId, userId)),
      invalidatesTags: ['Teams'],
    }),
    removeTeamMember: b.mutation<null, { teamId: Id; userId: Id }>({
      queryFn: ({ teamId, userId }) =>
        call(async () => (await adminApi.removeTeamMember(teamId, userId), null)),
      invalidatesTags: ['Teams'],
    }),
  }),
});

export const {
  useAdminUsersQuery,
  useUpdateAdminUserMutation,
  useCreateAdminUserMutation,
  useReinviteAdminUserMutation,
  useCreateTeamMutation,
  useRenameTeamMutation,
  useDeleteTeamMutation,
  useAddTeamMemberMutation,
  useRemoveTeamMemberMutation,
} = adminApiSlice;

/** The next page of a users search, appended to its cache entry. */
export const loadMoreUsers = (q: string, cursor: number) =>
  adminApiSlice.endpoints.adminUsers.initiate({ q, cursor }, { subscribe: false });

/** A changed user replaces the old one in every cached search. */
const userReplaced = (user: User, state: RootState) => (dispatch: AppDispatch) => {
  for (const arg of adminApiSlice.util.selectCachedArgsForQuery(state, 'adminUsers')) {
    dispatch(
      adminApiSlice.util.updateQueryData('adminUsers', arg, (page) => {
        const at = page.items.findIndex((u) => u.id === user.id);
        if (at >= 0) page.items[at] = user;
      }),
    );
  }
};

/** The link that brings an invitee to the app's "accept invite" screen (token in the fragment). */
export function inviteLink(origin: string, token: string): string {
  return `${origin.replace(/\/$/, '')}/accept-invite#${token}`;
}
