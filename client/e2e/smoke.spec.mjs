import { assert, launchBrowser, newPerson, register, shot, startServer, signIn } from './lib.mjs';

export const tests = {
  async 'a person registers, the session survives a reload, and signs out'() {
    const server = await startServer('smoke');
    const { browser, close } = await launchBrowser();
    try {
      // Installable: the manifest and its icons are served next to the app.
      const manifest = await (await fetch(`${server.baseURL}/manifest.json`)).json();
      assert(manifest.name === 'Switchboard' && manifest.display === 'standalone', 'manifest');
      for (const icon of manifest.icons) {
        const res = await fetch(`${server.baseURL}${icon.src}`);
        assert(
          res.ok && res.headers.get('content-type').startsWith('image/png'),
          `icon ${icon.src}`,
        );
      }
      const ann = await newPerson(browser, server.baseURL);
      // The icon font (tabs and buttons) is a file the server serves next to the bundle.
      const fonts = [];
      ann.page.on('response', (r) => {
        if (/\.ttf(\?|$)/.test(r.url())) fonts.push({ url: r.url(), status: r.status() });
      });
      await ann.page.goto('/');
      await ann.page.getByTestId('signin-screen').waitFor();
      await shot(ann.page, 'signin-light');
      await register(ann.page, {
        email: 'ann@example.com',
        displayName: 'Ann Customer',
        password: 'correct horse 1',
      });
      await ann.page.reload();
      await ann.page.getByTestId('tab-profile').click();
      assert(
        fonts.some((f) => /Ionicons/.test(f.url) && f.status === 200) &&
          fonts.every((f) => f.status === 200),
        `icon font served: ${JSON.stringify(fonts)}`,
      );
      await ann.page.getByTestId('profile-name').waitFor();
      assert(
        (await ann.page.getByTestId('profile-name').textContent()) === 'Ann Customer',
        'profile shows the name',
      );
      await shot(ann.page, 'profile-light');
      await ann.page.getByTestId('profile-sign-out').click();
      await ann.page.getByTestId('signin-screen').waitFor();
      await signIn(ann.page, { email: 'ann@example.com', password: 'correct horse 1' });
      const dark = await newPerson(browser, server.baseURL, { colorScheme: 'dark' });
      await dark.page.goto('/');
      await dark.page.getByTestId('signin-screen').waitFor();
      await shot(dark.page, 'signin-dark');
      assert(ann.errors.length === 0, `no page errors: ${ann.errors.join('\n')}`);
    } finally {
      await close();
      await server.stop();
    }
  },
};
