/**
 * The Experiments sidebar's search box: plain text finds runs by name and tag on the
 * server (the filter language still applies with an operator), and "select all matching"
 * ticks every run it matches across pages. The live stream pushes points compact.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page, WebSocket } from '@playwright/test';

import { api } from './helpers';

async function openSidebar(page: Page, project: string): Promise<Locator> {
  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  const panel = page.locator('#mlhub-experiments');
  await expect(panel.getByRole('heading', { name: 'Experiments' })).toBeVisible();
  const select = panel.getByLabel('Project', { exact: true });
  await expect(select.locator(`option[value="${project}"]`)).toHaveCount(1);
  await select.selectOption(project);
  return panel;
}

test.describe('Experiments sidebar search', () => {
  test('plain text searches names and tags on the server; select all matching ticks every page', async ({
    page
  }) => {
    const project = `search-${Date.now().toString(36)}`;
    const create = (name: string, tags: string[]) =>
      api(page, 'POST', 'runs', { project, name, tags, config: {} });
    // 28 runs named sweep-NN, 2 runs tagged "sweep" with other names, 3 baselines.
    for (let i = 0; i < 28; i++) {
      await create(`sweep-${String(i).padStart(2, '0')}`, []);
    }
    const taggedA = await create('lr-probe', ['sweep']);
    await create('wd-probe', ['Sweep-extra']);
    for (let i = 0; i < 3; i++) {
      await create(`baseline-${i}`, ['baseline']);
    }
    const panel = await openSidebar(page, project);
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('1–25 of 33');

    const box = panel.getByLabel('Filter runs');
    await box.fill('sweep');
    await box.press('Enter');
    // Names and tags, any case, found by the server: 28 + 2, paged.
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('1–25 of 30');
    await expect(panel.locator('.jp-MLHub-error')).toHaveCount(0);
    // Newest first: the two found by their tag lead the first page.
    await expect(panel.locator('.jp-MLHubExp-runName').nth(0)).toHaveText('wd-probe');
    await expect(panel.locator(`[data-run-id="${taggedA.id}"]`)).toHaveCount(1);
    await panel.getByRole('button', { name: 'Next page' }).click();
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('26–30 of 30');
    await expect(panel.locator('.jp-MLHubExp-runName')).toHaveText([
      'sweep-04',
      'sweep-03',
      'sweep-02',
      'sweep-01',
      'sweep-00'
    ]);

    await panel.getByRole('button', { name: 'Select all 30 matching' }).click();
    await expect(panel.getByRole('button', { name: 'Compare (30)' })).toBeEnabled();
    await expect(panel.getByLabel('Select run sweep-00')).toBeChecked();
    await panel.getByRole('button', { name: 'Previous page' }).click();
    await expect(panel.getByLabel('Select run lr-probe')).toBeChecked();
    await panel.getByRole('button', { name: 'Clear' }).click();

    // An operator makes it the filter language; plain text again afterwards.
    await box.fill('tags = baseline');
    await box.press('Enter');
    await expect(panel.locator('.jp-MLHubExp-range')).toHaveText('1–3 of 3');
    await box.fill('probe');
    await box.press('Enter');
    await expect(panel.locator('.jp-MLHubExp-runName')).toHaveText(['wd-probe', 'lr-probe']);
    await panel.getByRole('button', { name: 'Select all 2 matching' }).click();
    await panel.getByRole('button', { name: 'Compare (2)' }).click();
    const view = page.locator('.jp-MLHubExp-compare');
    await expect(view.getByRole('heading', { name: 'Compare 2 runs' })).toBeVisible();
  });

  test('the compare view asks for compact points and draws them', async ({ page }) => {
    const project = `compact-${Date.now().toString(36)}`;
    const run = await api(page, 'POST', 'runs', { project, name: 'live', config: {} });
    await api(page, 'POST', `runs/${run.id}/metrics`, { metrics: { loss: { steps: [0], values: [1] } } });
    const sent: string[] = [];
    const received: string[] = [];
    page.on('websocket', (ws: WebSocket) => {
      if (ws.url().includes('/mlhub/api/v1/stream')) {
        ws.on('framesent', f => sent.push(String(f.payload)));
        ws.on('framereceived', f => received.push(String(f.payload)));
      }
    });
    await page.evaluate(
      id => (window as any).jupyterapp.commands.execute('mlhub:compare-runs', { runs: [id] }),
      run.id
    );
    const canvas = page.locator('.jp-MLHubExp-compare .jp-MLHubExp-panel[data-metric="loss"] .jp-MLHubExp-canvas');
    await expect(canvas).toHaveAttribute('data-total', '1');
    await expect(page.locator('.jp-MLHubExp-stream')).toHaveText('live');
    await api(page, 'POST', `runs/${run.id}/metrics`, {
      metrics: { loss: { steps: [1, 2, 3], values: [0.5, 'NaN', 0.25], timestamps: [1, 2, 3] } }
    });
    await expect(canvas).toHaveAttribute('data-total', '4');
    const legend = page.locator(`.jp-MLHubExp-compare li[data-run-id="${run.id}"] .jp-MLHubExp-latest`).first();
    await expect(legend).toHaveText('0.25');
    expect(sent.some(s => JSON.parse(s).subscribe?.encoding === 'delta-base64')).toBe(true);
    const points = received.map(r => JSON.parse(r)).filter(m => m.type === 'metrics');
    expect(points.length).toBeGreaterThan(0);
    expect(points[0]).toMatchObject({ encoding: 'delta-base64', metrics: { loss: { steps: [1, 1, 1] } } });
    expect(typeof points[0].metrics.loss.values).toBe('string');
  });
});
