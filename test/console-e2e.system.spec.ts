import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { repoRoot, startProcess, waitFor, type RunningProcess } from '@millwright/testing';
import { builtApp, type AppHandle } from './support/built-app.process';
import { CONSOLE_TEST_USERS, signIn, startConsole } from './support/console.process';
import { launchChromium, screenshot, seriousAxeViolations, signInInPage } from './support/console.browser';
import { TURBOFAN_POLICY, orders, putPolicy, startOrdersStack, supplierOrders, type OrdersStack } from './support/orders.fixture';
import { startPredictor } from './support/predictor.process';

const SITE = 'plant1';
const ASSET = 'engine-001';
const password = (name: string) => CONSOLE_TEST_USERS.find((u) => u.name === name)!.password;

describe('console end to end: staff watch an engine degrade, open it and approve its order, in a real browser', () => {
  let stack: OrdersStack;
  let predictor: AppHandle;
  let consoleApp: AppHandle;
  let simulator: RunningProcess | undefined;
  let browser: Browser;
  let tech: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startOrdersStack();
    // Staff approve every turbofan order here, so the test can watch one wait for a technician.
    await putPolicy(stack.maintenance, 'turbofan', { ...TURBOFAN_POLICY, approvalRequired: true });
    predictor = await startPredictor({ NATS_URL: stack.nats.url, TWIN_SERVICE_URL: stack.twins.baseUrl, MODEL_DIR: join(repoRoot(), 'models', 'fd001') });
    consoleApp = await startConsole(
      { NATS_URL: stack.nats.url, TWIN_SERVICE_URL: stack.twins.baseUrl, MAINTENANCE_URL: stack.maintenance.baseUrl, PREDICTOR_URL: predictor.baseUrl, CONSOLE_SITE: SITE, MODEL_DIR: join(repoRoot(), 'models', 'fd001') },
      stack.dir.path,
    );
    browser = await launchChromium();
    // bypassCSP only lets the test inject axe-core; the app itself runs under its own CSP.
    tech = await browser.newContext({ viewport: { width: 1024, height: 768 }, bypassCSP: true });
    page = await tech.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    await consoleApp?.stop();
    await predictor?.stop();
    await stack?.stop();
  });

  it('signs in, and shows the degrading engine turn to warning live while the simulator replays it', async () => {
    await signInInPage(page, consoleApp.baseUrl, 'tess', password('tess'));
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    simulator = startProcess(process.execPath, [builtApp('sensor-simulator')], {
      env: { ...process.env, NATS_URL: stack.nats.url, SIM_SITE: SITE, SIM_SOURCE: 'synthetic', SIM_ENGINES: '1', SIM_CYCLE_RATE: '5', SIM_BATCH_SIZE: '1', SIM_PROGRESS_MS: '0' },
    });
    const row = page.locator(`tr[data-asset="${ASSET}"]`);
    await row.locator('[data-health="ok"]').waitFor({ timeout: 60_000 });
    await row.locator('[data-health="warning"]').waitFor({ timeout: 120_000 });
    // The row changed under the user's eyes: same page, no reload.
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await screenshot(page, '1-assets-warning');
  });

  it("opens the asset and shows its sensor trend charts", async () => {
    await page.getByRole('link', { name: ASSET, exact: true }).click();
    await page.getByRole('heading', { name: /engine-001/ }).waitFor();
    // The sensor charts come with the history request; the RUL chart may be drawn before them, from
    // the predictions the console already holds. At least two sensors' charts, each with its canvas.
    await page.locator('.charts figure.chart canvas').nth(1).waitFor({ timeout: 20_000 });
    await page.getByText(/predictions from model version/).waitFor({ timeout: 20_000 });
    await screenshot(page, '2-asset');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('does not let a viewer approve: no button, and the API answers 403 forbidden', async () => {
    const [order] = await waitFor(async () => {
      const l = await orders(stack.maintenance, `?asset=${ASSET}&state=awaiting_approval`);
      return l.length ? l : undefined;
    }, { timeoutMs: 120_000, what: 'an order awaiting approval' });
    const viewer = await browser.newContext({ viewport: { width: 820, height: 1180 }, hasTouch: true, bypassCSP: true });
    try {
      const vp = await viewer.newPage();
      await signInInPage(vp, consoleApp.baseUrl, 'vic', password('vic'));
      await vp.goto(`${consoleApp.baseUrl}/#/orders`);
      const card = vp.locator(`li[data-order="${order.id}"]`);
      await card.getByText('Awaiting approval by a technician.').waitFor();
      expect(await card.getByRole('button', { name: /Approve/ }).count()).toBe(0);
      const answer = await vp.evaluate(async (id) => {
        const res = await fetch(`/api/v1/orders/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"sneaky"}' });
        return { status: res.status, body: await res.json() };
      }, order.id);
      expect(answer).toMatchObject({ status: 403, body: { code: 'forbidden', details: { required: 'technician', role: 'viewer' } } });
      await screenshot(vp, '3-orders-viewer-tablet');
    } finally {
      await viewer.close();
    }
    expect((await orders(stack.maintenance, `?asset=${ASSET}`))[0].state).toBe('awaiting_approval');
  });

  it('approves the order with a reason and sees it placed at the supplier simulator', async () => {
    await page.getByRole('link', { name: 'Orders' }).click();
    const card = page.locator(`li[data-asset="${ASSET}"][data-state="awaiting_approval"]`);
    await card.waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, '4-orders');
    await card.getByRole('button', { name: `Approve ${ASSET}` }).click();
    await card.getByLabel('Reason').fill('HPC wear confirmed on the borescope');
    await card.getByRole('button', { name: 'Confirm approve' }).click();
    // The order event arrives over the live stream and the card moves on without a reload.
    await page.locator(`li[data-asset="${ASSET}"][data-state="confirmed"]`).waitFor({ timeout: 30_000 });
    const atSupplier = (await supplierOrders(stack.supplier)).filter((o) => o.request.asset === ASSET);
    expect(atSupplier).toHaveLength(1);
    const [order] = await orders(stack.maintenance, `?asset=${ASSET}`);
    expect(atSupplier[0].orderId).toBe(order.id);
    expect(order.audit.find((a) => a.action === 'approve')).toMatchObject({ actor: { kind: 'staff', id: 'tess' }, reason: 'HPC wear confirmed on the borescope' });

    await page.locator(`li[data-asset="${ASSET}"] h2 a`).click();
    await page.getByText(/approve by staff tess/).waitFor();
    await screenshot(page, '5-order-timeline');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('shows site health with dead letters and the model page, and audits every action with its user', async () => {
    await page.getByRole('link', { name: 'Site health' }).click();
    await page.getByText('readings/s').waitFor();
    await screenshot(page, '6-site-health');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Model' }).click();
    await page.getByTestId('model-version').waitFor();
    expect(await page.getByTestId('model-version').textContent()).toMatch(/^fd001-/);
    await page.locator('figure.plot img').waitFor();
    await screenshot(page, '7-model');
    expect(await seriousAxeViolations(page)).toEqual([]);

    const admin = await signIn(consoleApp.baseUrl, 'ada');
    const audit = (await (await fetch(`${consoleApp.baseUrl}/api/v1/audit`, { headers: { cookie: admin } })).json()) as { items: Array<{ user: string; action: string; outcome: string }> };
    expect(audit.items).toEqual(expect.arrayContaining([
      expect.objectContaining({ user: 'tess', action: 'order.approve', outcome: 'ok' }),
      expect.objectContaining({ user: 'vic', outcome: 'denied' }),
      expect.objectContaining({ user: 'tess', action: 'sign_in', outcome: 'ok' }),
    ]));
    const techCookie = await signIn(consoleApp.baseUrl, 'tess');
    const put = await fetch(`${consoleApp.baseUrl}/api/v1/policies/turbofan`, { method: 'PUT', headers: { cookie: techCookie, 'content-type': 'application/json' }, body: JSON.stringify(TURBOFAN_POLICY) });
    expect([put.status, ((await put.json()) as { code: string }).code]).toEqual([403, 'forbidden']);
  });
});
