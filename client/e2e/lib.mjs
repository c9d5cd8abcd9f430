// Shared helpers for the end-to-end specs: a real switchboard server with a fresh database,
// Debian's Chromium through playwright-core, and small steps that act like a person would.
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const clientDir = path.resolve(here, '..');
export const artifactsDir = path.join(here, 'artifacts');
export const webDir = path.join(clientDir, 'dist');
export const serverBin = path.resolve(
  clientDir,
  process.env.SWITCHBOARD_BIN ?? '../target/debug/switchboard',
);
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the server binary on a free port with a fresh data directory and SQLite database. */
export async function startServer(name) {
  if (!existsSync(serverBin))
    throw new Error(`server binary not found: ${serverBin} (set SWITCHBOARD_BIN)`);
  if (!existsSync(path.join(webDir, 'index.html')))
    throw new Error(`no web build in ${webDir}: npm run build:web`);
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `sb-e2e-${name}-`));
  const env = {
    ...process.env,
    SWITCHBOARD_LISTEN: `127.0.0.1:${port}`,
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_DATABASE_URL: `sqlite://${dataDir}/sb.db`,
    SWITCHBOARD_WEB_DIR: webDir,
    SWITCHBOARD_AUTH_RATE_LIMIT: 'off',
    NO_COLOR: '1',
  };
  mkdirSync(artifactsDir, { recursive: true });
  const logPath = path.join(artifactsDir, `server-${name}.log`);
  const log = [];
  const baseURL = `http://127.0.0.1:${port}`;
  let child;
  let exited = null;
  const spawnServer = async () => {
    exited = null;
    child = spawn(serverBin, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => log.push(d));
    child.stderr.on('data', (d) => log.push(d));
    child.on('exit', (code, signal) => (exited = code ?? signal));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (exited !== null) {
        writeFileSync(logPath, Buffer.concat(log));
        throw new Error(`server exited with ${exited}; log in ${logPath}`);
      }
      try {
        const res = await fetch(`${baseURL}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('server did not answer /healthz within 30 s');
      await sleep(100);
    }
  };
  const kill = async () => {
    if (exited !== null) return;
    child.kill('SIGTERM');
    for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
    if (exited === null) child.kill('SIGKILL');
    for (let i = 0; i < 20 && exited === null; i++) await sleep(100);
  };
  await spawnServer();
  return {
    baseURL,
    env,
    /** Stops the server (same data and port kept) until start() is called. */
    halt: kill,
    start: spawnServer,
    /** Creates a user with the CLI (the only way to make an agent); the password goes on stdin. */
    createUser({ email, role, displayName, password }) {
      const res = spawnSync(
        serverBin,
        ['user', 'create', '--email', email, '--role', role, '--display-name', displayName],
        { env, input: `${password}\n`, encoding: 'utf8', timeout: 30_000 },
      );
      if (res.status !== 0) throw new Error(`user create failed: ${res.stderr || res.stdout}`);
    },
    async stop() {
      await kill();
      writeFileSync(logPath, Buffer.concat(log));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One Chromium for a spec; each person gets a context (own storage, own network switch).
 * `extraArgs`: more Chromium switches (calls: fake camera and microphone).
 * playwright-core's launch() always starts from a fresh temporary profile (user-data dir).
 */
export async function launchBrowser({ extraArgs = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

export async function newPerson(
  browser,
  baseURL,
  { colorScheme = 'light', viewport = { width: 1100, height: 800 } } = {},
) {
  const context = await browser.newContext({ baseURL, colorScheme, viewport });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

export async function shot(page, name) {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

// ---- steps ----

export async function register(page, { email, displayName, password }) {
  await page.goto('/');
  await page.getByTestId('signin-to-register').click();
  const form = page.getByTestId('register-screen');
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('Display name', { exact: true }).fill(displayName);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByTestId('register-submit').click();
  await page.getByTestId('tab-tickets').waitFor();
}

/** A customer opens a ticket from the Tickets tab; its number, once its screen shows. */
export async function openTicket(page, { subject, body, priority }) {
  await page.getByTestId('tickets-new').click();
  const form = page.getByTestId('new-ticket-screen');
  await form.getByLabel('Subject', { exact: true }).fill(subject);
  await form.getByLabel('Message', { exact: true }).fill(body);
  if (priority) await form.getByTestId(`new-ticket-priority-${priority}`).click();
  await form.getByTestId('new-ticket-submit').click();
  const title = page.getByTestId('ticket-subject');
  await title.waitFor();
  return (await title.textContent()).match(/#(\d+)/)[1];
}

export async function signIn(page, { email, password }) {
  await page.goto('/');
  const form = page.getByTestId('signin-screen');
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByTestId('signin-submit').click();
  await page.getByTestId('tab-tickets').waitFor();
}

export async function waitOnline(page, timeout = 15_000) {
  await page.waitForFunction(
    () => !document.querySelector('[data-testid="connection-banner"]'),
    null,
    {
      timeout,
    },
  );
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

/** A REST call as a user, for test set-up that has no screen yet. */
export async function apiAs(baseURL, { email, password }, method, path, body) {
  const login = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`login ${email}: ${login.status}`);
  const { access_token: token, user } = await login.json();
  if (!path) return { user };
  const res = await fetch(`${baseURL}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return { user, data: res.status === 204 ? null : await res.json() };
}
