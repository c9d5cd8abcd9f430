import path from 'node:path';

import {
  assert,
  clientDir,
  launchBrowser,
  newPerson,
  register,
  shot,
  startServer,
} from './lib.mjs';
import { bubbles } from './tickets.spec.mjs';

export const tests = {
  async 'two people become contacts and chat directly'() {
    const server = await startServer('people');
    const { browser, close } = await launchBrowser();
    try {
      const ann = await newPerson(browser, server.baseURL);
      await register(ann.page, {
        email: 'ann@example.com',
        displayName: 'Ann Archer',
        password: 'ann password 1',
      });
      const bob = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      await register(bob.page, {
        email: 'bob@example.com',
        displayName: 'Bob Baker',
        password: 'bob password 1',
      });

      // Bob finds Ann and sends a friend request.
      await bob.page.getByTestId('tab-contacts').click();
      await bob.page.getByTestId('contacts-find').click();
      await bob.page
        .getByTestId('user-search-screen')
        .getByLabel('Search', { exact: true })
        .fill('Ann');
      const add = bob.page.getByRole('button', { name: 'Add Ann Archer' });
      await add.click();
      await bob.page.getByTestId(/^user-requested-/).waitFor();

      // Ann sees it live and accepts.
      await ann.page.getByTestId('tab-contacts').click();
      await ann.page.getByTestId('contacts-requests').filter({ hasText: '(1)' }).waitFor();
      await ann.page.getByTestId('contacts-requests').click();
      await ann.page.getByTestId(/^request-accept-/).click();
      await ann.page.goBack();
      const bobRow = ann.page.getByTestId(/^contact-row-/).filter({ hasText: 'Bob Baker' });
      await bobRow.waitFor();
      await bobRow.filter({ hasText: 'Online' }).waitFor();
      await shot(ann.page, 'contacts-light');

      // Ann writes to Bob.
      await bobRow.getByRole('button', { name: 'Message Bob Baker' }).click();
      await ann.page.getByLabel('Message', { exact: true }).last().fill('Hi Bob, lunch at noon?');
      await ann.page.getByTestId('composer-send').last().click();
      await bubbles(ann.page, 'lunch at noon').first().waitFor();

      // Bob gets it live in his chats, opens it and answers; Ann sees the answer live.
      await bob.page.goBack(); // from "Find people" to the tabs
      await bob.page.getByTestId('tab-chats').click();
      const conv = bob.page.getByTestId(/^conversation-row-/).filter({ hasText: 'Ann Archer' });
      await conv.filter({ hasText: 'lunch at noon' }).waitFor();
      await conv.click();
      await bubbles(bob.page, 'lunch at noon').first().waitFor();
      await bob.page.getByLabel('Message', { exact: true }).last().fill('Sure, see you there');
      await ann.page.getByTestId('typing-indicator').waitFor();
      await bob.page.getByTestId('composer-send').last().click();
      await bubbles(ann.page, 'see you there').first().waitFor();
      // Read receipt: Bob read Ann's message.
      await ann.page.getByText('Read', { exact: true }).waitFor();
      await shot(ann.page, 'chat-light');
      await shot(bob.page, 'chat-dark');
      assert((await bubbles(bob.page, 'lunch at noon').count()) === 1, 'delivered once');

      // Ann shares a picture: Bob sees a preview.
      const picture = path.join(clientDir, 'public/icons/icon-512.png');
      const chooser = ann.page.waitForEvent('filechooser');
      await ann.page.getByTestId('composer-attach').last().click();
      await (await chooser).setFiles(picture);
      await ann.page.getByRole('button', { name: 'Remove icon-512.png' }).waitFor();
      await ann.page.getByLabel('Message', { exact: true }).last().fill('Our new logo');
      await ann.page.getByTestId('composer-send').last().click();
      const withPicture = bubbles(bob.page, 'Our new logo');
      await withPicture.first().waitFor();
      const preview = bob.page.getByTestId(/^message-\d+-attachment-0-image$/).last();
      await preview.waitFor();
      const img = preview.locator('img');
      await img.waitFor({ state: 'attached' });
      assert(
        (await img.getAttribute('src')).startsWith('blob:'),
        'the preview is loaded with the token',
      );
      await shot(bob.page, 'chat-attachment-dark');

      // Ann sets an avatar on her profile.
      await ann.page.goBack();
      await ann.page.getByTestId('tab-profile').click();
      const avatarImg = ann.page.getByTestId('profile-avatar').locator('img');
      await avatarImg.waitFor({ state: 'attached' }); // the generated one (initials)
      const before = await avatarImg.getAttribute('src');
      const avatarChooser = ann.page.waitForEvent('filechooser');
      await ann.page.getByTestId('profile-avatar-change').click();
      await (await avatarChooser).setFiles(picture);
      await ann.page.waitForFunction((old) => {
        const img = document.querySelector('[data-testid="profile-avatar"] img');
        return img && img.getAttribute('src') !== old;
      }, before);
      await ann.page
        .getByTestId('profile-avatar-change')
        .filter({ hasText: 'Change avatar' })
        .waitFor();
      await shot(ann.page, 'profile-avatar-light');
      assert(
        ann.errors.length === 0 && bob.errors.length === 0,
        `page errors: ${[...ann.errors, ...bob.errors]}`,
      );
    } finally {
      await close();
      await server.stop();
    }
  },
};
