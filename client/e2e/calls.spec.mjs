import { apiAs, assert, launchBrowser, newPerson, shot, signIn, startServer } from './lib.mjs';

const AGENT = { email: 'alex@example.com', password: 'alex password 1', displayName: 'Alex Agent' };
const CUSTOMER = { email: 'rae@example.com', password: 'rae password 1', displayName: 'Rae Ramos' };

/** Chromium's fake camera and microphone, and no permission prompts. */
const FAKE_MEDIA = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--auto-accept-this-tab-capture',
  '--auto-select-desktop-capture-source=Entire screen',
];

/**
 * Keeps the page's RTCPeerConnections where the test can read their stats (the app's code is
 * unchanged: the browser's constructor is wrapped before the app loads).
 */
async function watchPeers(context) {
  await context.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    window.__peers = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.__peers.push(this);
      }
    };
  });
}

/** The last peer connection's state, inbound RTP bytes and outgoing video track's label. */
function peerFacts(page) {
  return page.evaluate(async () => {
    const pc = window.__peers[window.__peers.length - 1];
    let bytes = 0;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp') bytes += r.bytesReceived ?? 0;
    });
    const video = pc.getSenders().find((s) => s.track?.kind === 'video');
    return { state: pc.connectionState, bytes, videoTrack: video?.track?.label ?? null };
  });
}

/** Waits until the inbound byte count grows past `than`. */
async function bytesGrow(page, than) {
  for (let i = 0; i < 100; i++) {
    const facts = await peerFacts(page);
    if (facts.bytes > than) return facts.bytes;
    await page.waitForTimeout(200);
  }
  throw new Error(`inbound-rtp bytes stayed at ${than}`);
}

/** Waits until the page's call is connected and its remote video shows frames. */
async function connected(page) {
  await page.getByTestId('call-link').filter({ hasText: 'connected' }).waitFor({ timeout: 30_000 });
  await page.waitForFunction(
    () => {
      const v = document.querySelector('[data-testid="call-remote-media"]');
      return v instanceof HTMLVideoElement && v.videoWidth > 0 && v.currentTime > 0;
    },
    null,
    { timeout: 30_000 },
  );
}

export const tests = {
  async 'the agent video-calls the customer from the ticket; both connect; hang-up is recorded'() {
    const server = await startServer('calls');
    server.createUser({ ...AGENT, role: 'agent' });
    const { browser, close } = await launchBrowser({ extraArgs: FAKE_MEDIA });
    try {
      await fetch(`${server.baseURL}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: CUSTOMER.email,
          display_name: CUSTOMER.displayName,
          password: CUSTOMER.password,
        }),
      });
      const { data: tk } = await apiAs(server.baseURL, CUSTOMER, 'POST', '/tickets', {
        subject: 'Screen goes blank',
        body: 'Can you look at my screen?',
        priority: 'high',
      });
      const { user: alex } = await apiAs(server.baseURL, AGENT);
      await apiAs(server.baseURL, AGENT, 'PATCH', `/tickets/${tk.id}`, {
        version: tk.version,
        assignee_id: alex.id,
      });

      const viewport = { width: 1440, height: 900 };
      const agent = await newPerson(browser, server.baseURL, { viewport });
      const customer = await newPerson(browser, server.baseURL);
      await watchPeers(agent.context);
      await watchPeers(customer.context);
      await signIn(agent.page, AGENT);
      await signIn(customer.page, CUSTOMER);
      await customer.page.getByTestId(`ticket-row-${tk.number}`).click();
      // Assigned to Alex: under Mine.
      await agent.page.getByTestId('tickets-tab-mine').click();
      await agent.page.getByTestId(`ticket-row-${tk.number}`).click();

      // The agent calls from the ticket; the customer's app rings and she accepts.
      await agent.page.getByTestId('ticket-pane').getByTestId('call-video').click();
      await agent.page.getByTestId('call-outgoing').waitFor();
      await customer.page.getByTestId('call-incoming').filter({ hasText: 'Alex Agent' }).waitFor();
      await customer.page.getByTestId('call-accept').click();

      // Both peer connections connect and each side plays the other's (fake) camera.
      await connected(agent.page);
      await connected(customer.page);
      await agent.page.getByTestId('call-duration').waitFor();
      // Each side keeps receiving: its inbound-rtp byte count grows.
      for (const page of [agent.page, customer.page]) {
        const facts = await peerFacts(page);
        assert(facts.state === 'connected', `peer ${facts.state}`);
        await bytesGrow(page, await bytesGrow(page, 0));
      }

      // Screen sharing replaces the agent's camera track on the same sender.
      const camera = (await peerFacts(agent.page)).videoTrack;
      await agent.page.getByTestId('call-share').click();
      await agent.page.getByTestId('call-share').filter({ hasText: 'Stop sharing' }).waitFor();
      const shared = (await peerFacts(agent.page)).videoTrack;
      assert(shared && shared !== camera, `video track ${camera} → ${shared}`);
      await bytesGrow(customer.page, (await peerFacts(customer.page)).bytes);
      await shot(customer.page, 'call-customer-sees-screen');
      await agent.page.getByTestId('call-share').click();
      await agent.page.getByTestId('call-share').filter({ hasText: 'Share screen' }).waitFor();
      assert((await peerFacts(agent.page)).videoTrack === camera, 'back to the camera');
      await shot(agent.page, 'call-agent');
      await shot(customer.page, 'call-customer');

      // Mute and camera toggle the local tracks (the labels follow).
      await agent.page.getByTestId('call-mute').click();
      await agent.page.getByTestId('call-mute').filter({ hasText: 'Unmute' }).waitFor();
      await agent.page.getByTestId('call-camera').click();
      await agent.page.getByTestId('call-camera').filter({ hasText: 'Camera on' }).waitFor();

      // The agent hangs up: the call ends on both sides and the conversation records it.
      await agent.page.getByTestId('call-hangup').click();
      await agent.page.getByTestId('call-active').waitFor({ state: 'detached' });
      await customer.page.getByTestId('call-active').waitFor({ state: 'detached' });
      for (const page of [agent.page, customer.page]) {
        await page.getByText('call started').first().waitFor();
        await page
          .getByText(/^call ended · \d+( min \d+)? s · /)
          .first()
          .waitFor();
      }
      assert(
        agent.errors.length === 0 && customer.errors.length === 0,
        `page errors: ${[...agent.errors, ...customer.errors]}`,
      );
    } finally {
      await close();
      await server.stop();
    }
  },
};
