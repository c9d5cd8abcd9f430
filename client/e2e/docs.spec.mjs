import { assert, launchBrowser, newPerson, shot, startServer } from './lib.mjs';

export const tests = {
  async 'the API docs page renders from the binary with no network'() {
    const server = await startServer('docs');
    const { browser, close } = await launchBrowser();
    try {
      const person = await newPerson(browser, server.baseURL);
      // Anything not served by our own server is refused and recorded: the page must not need it.
      const own = new URL(server.baseURL).host;
      const foreign = [];
      await person.context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.host === own || url.protocol === 'data:') return route.continue();
        foreign.push(url.href);
        return route.abort();
      });
      await person.page.goto('/docs/');
      await person.page.locator('.opblock').first().waitFor();
      const operations = await person.page.locator('.opblock').count();
      assert(operations >= 30, `Swagger UI lists the operations (${operations})`);
      assert(
        (await person.page.locator('.opblock-summary-path').allTextContents()).some((p) =>
          p.includes('/api/v1/tickets'),
        ),
        'ticket routes are documented',
      );
      assert(foreign.length === 0, `no request left the machine: ${foreign.join(', ')}`);
      await shot(person.page, 'docs-light');
    } finally {
      await close();
      await server.stop();
    }
  },
};
