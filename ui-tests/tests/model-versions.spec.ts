/**
 * The model view's version list at scale: a model of 1,050 versions lists a page at a
 * time from the server (never all at once), with Load more, a server-side search and
 * order, and the stages on the rows.
 */
import { expect, test } from '@jupyterlab/galata';
import type { Page, Request } from '@playwright/test';

import { api } from './helpers';

const VERSIONS = 1050;

/** A model card: tags even/odd, every 100th version described as a milestone. */
function card(model: string, v: number): string {
  return `---
tags:
- ${v % 2 ? 'odd' : 'even'}
model-index:
- name: ${model}
  results:
  - task: {type: text-classification}
    dataset: {name: d, type: d}
    metrics:
    - {type: accuracy, value: ${(v / VERSIONS).toFixed(4)}}
---

${v % 100 === 0 ? `milestone ${v}` : `version ${v}`}
`;
}

/** `VERSIONS` versions, 8 imports in flight (each is the model's next version). */
async function seed(page: Page, model: string): Promise<void> {
  // The first creates the model, so the rest number after it.
  await api(page, 'POST', 'models', { card: card(model, 1), name: model });
  let next = 2;
  const worker = async (): Promise<void> => {
    while (next <= VERSIONS) {
      const v = next++;
      await api(page, 'POST', 'models', { card: card(model, v), name: model });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

test.describe('Model versions at scale', () => {
  test('a model of 1,050 versions lists a page at a time, loads more, searches and orders on the server', async ({
    page
  }) => {
    test.setTimeout(300000);
    const model = `many-${Date.now().toString(36)}`;
    const started = Date.now();
    await seed(page, model);
    console.log(`seeded ${VERSIONS} versions in ${Date.now() - started} ms`);
    // (Imports ran 8 at a time, so a card's text need not match the number it got.)
    const all = await api(page, 'GET', `models/${model}/versions?archived=true&q=milestone&limit=50`);
    expect(all.total).toBe(Math.floor(VERSIONS / 100));
    await api(page, 'PUT', `models/${model}/aliases/production`, { version: 500 });

    const lists: string[] = [];
    page.on('request', (r: Request) => {
      if (r.url().includes(`/models/${model}/versions?`)) {
        lists.push(new URL(r.url()).search);
      }
    });
    const opened = Date.now();
    await page.evaluate(
      name => (window as any).jupyterapp.commands.execute('mlhub:open-model', { name }),
      model
    );
    const view = page.locator(`.jp-MLHubModels-view[data-model="${model}"]`);
    const rows = view.locator('table[aria-label="versions"] tbody tr');
    await expect(rows).toHaveCount(50);
    console.log(`first page of versions shown ${Date.now() - opened} ms after the command`);
    await expect(rows.first()).toHaveAttribute('data-version', String(VERSIONS));
    const count = view.locator('.jp-MLHubModels-versionCount');
    await expect(count).toHaveText(`50 of ${VERSIONS.toLocaleString('en-US')} versions`);
    await expect(view.locator(`tr[data-version="500"]`)).toHaveCount(0); // not on the first page
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.every(q => /[?&]limit=50(&|$)/.test(q))).toBe(true);

    // Load more appends the next page, in the same order.
    await view.getByRole('button', { name: `Load more (${(VERSIONS - 50).toLocaleString('en-US')} left)` }).click();
    await expect(rows).toHaveCount(100);
    await expect(rows.nth(99)).toHaveAttribute('data-version', String(VERSIONS - 99));
    await expect(count).toHaveText(`100 of ${VERSIONS.toLocaleString('en-US')} versions`);

    // Search on the server: text (the card's description) and a version number.
    const search = view.getByLabel('Search versions');
    // The search box shows its whole placeholder; the order select keeps its natural
    // width on the same row (it used to stretch across the view, on a row of its own).
    const fits = await search.evaluate(el => {
      const input = el as HTMLInputElement;
      const style = getComputedStyle(input);
      const ctx = document.createElement('canvas').getContext('2d')!;
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      const room =
        input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return ctx.measureText(input.placeholder).width <= room;
    });
    expect(fits).toBe(true);
    const searchBox = (await search.boundingBox())!;
    const orderBox = (await view.getByLabel('Order versions').boundingBox())!;
    expect(searchBox.width).toBeGreaterThanOrEqual(270);
    expect(orderBox.width).toBeLessThan(200);
    expect(Math.abs(orderBox.y + orderBox.height / 2 - (searchBox.y + searchBox.height / 2))).toBeLessThan(
      8
    );
    await search.fill('milestone');
    await search.press('Enter');
    await expect(rows).toHaveCount(all.total);
    await expect(count).toHaveText(`${all.total} of ${all.total} versions`);
    await expect(view.getByRole('button', { name: /Load more/ })).toHaveCount(0);
    await search.fill('v500');
    await search.press('Enter');
    await expect(rows).toHaveCount(1);
    await expect(rows.first().locator('.jp-MLHubModels-stage')).toHaveText('production');
    await search.fill('no such version');
    await search.press('Enter');
    await expect(view.getByText('No version matches “no such version”.')).toBeVisible();

    // Oldest first; a row opens its version.
    await search.fill('');
    await search.press('Enter');
    await view.getByLabel('Order versions').selectOption('asc');
    await expect(rows.first()).toHaveAttribute('data-version', '1');
    await expect(rows).toHaveCount(50);
    await rows.nth(2).click();
    await expect(view.getByRole('region', { name: 'version 3' })).toBeVisible();
    await expect(rows.nth(2)).toHaveAttribute('aria-selected', 'true');
    // No request ever asked for every version.
    expect(lists.every(q => /[?&]limit=\d+/.test(q))).toBe(true);
  });
});
