import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { shot } from '../shots';
import { api, API } from './helpers';

interface IMember {
  project: string;
  user: string;
  role: string;
}

/** A route pattern for one API path; the lab appends a cache-busting query to it. */
function endpoint(path: string): RegExp {
  return new RegExp(`${API}/${path}(\\?[^/]*)?$`);
}

async function members(page: Page, project: string): Promise<IMember[]> {
  return (await api(page, 'GET', `projects/${project}/members`)).members;
}

async function openShare(page: Page, project: string): Promise<Locator> {
  await page.click('.jp-SideBar [data-id="mlhub-experiments"]');
  await page.locator('#mlhub-experiments').getByRole('tab', { name: 'Projects' }).click();
  const card = page.locator(`#mlhub-experiments [data-project="${project}"]`);
  await card.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.locator('.jp-MLHub-shareDialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.jp-Dialog-header')).toContainText(`Share ${project}`);
  return dialog;
}

test.describe('Share dialog', () => {
  test('adds a member, changes the role, removes them and makes the project public', async ({
    page
  }) => {
    const project = `shared-${Date.now().toString(36)}`;
    const created = await api(page, 'POST', 'projects', { name: project });
    const owner: string = created.owner;
    expect(created.visibility).toBe('private');

    const dialog = await openShare(page, project);
    const rows = dialog.locator('.jp-MLHub-shareMember');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-user', owner);
    await expect(rows.first()).toHaveAttribute('data-role', 'owner');
    await expect(dialog.locator('.jp-MLHub-shareYourRole')).toHaveText('owner');

    // Add bob as a reader; Enter in the name field adds him and keeps the dialog open.
    await dialog.getByLabel('Role for the new member').selectOption('read');
    await dialog.getByLabel('User to add').fill('bob');
    await dialog.getByLabel('User to add').press('Enter');
    const bob = dialog.locator('.jp-MLHub-shareMember[data-user="bob"]');
    await expect(bob).toHaveAttribute('data-role', 'read');
    await expect(dialog.getByLabel('User to add')).toHaveValue('');
    expect(await members(page, project)).toEqual([
      { project, user: owner, role: 'owner' },
      { project, user: 'bob', role: 'read' }
    ]);

    // Change bob to edit.
    await dialog.getByLabel('Role of bob').selectOption('edit');
    await expect(bob).toHaveAttribute('data-role', 'edit');
    expect((await members(page, project)).find(m => m.user === 'bob')?.role).toBe('edit');
    await page.screenshot({ path: shot('share.png') });

    // The server's own message is shown verbatim: the owner cannot be made a member.
    await dialog.getByLabel('User to add').fill(owner);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(dialog.locator('.jp-MLHub-error')).toHaveText(
      `'${owner}' owns project '${project}'`
    );

    // Remove bob.
    await dialog.getByRole('button', { name: 'Remove bob' }).click();
    await expect(bob).toHaveCount(0);
    await expect(dialog.locator('.jp-MLHub-error')).toHaveCount(0);
    expect(await members(page, project)).toEqual([{ project, user: owner, role: 'owner' }]);

    // Make the project public; the sidebar's card follows once the dialog closes.
    const visibility = dialog.getByLabel(/^Public/);
    // The box follows the registry: it turns checked once the PATCH was accepted.
    await visibility.click();
    await expect(visibility).toBeChecked();
    await expect(visibility).toBeEnabled();
    expect((await api(page, 'GET', `projects/${project}`)).visibility).toBe('public');

    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(
      page.locator(`#mlhub-experiments [data-project="${project}"] .jp-MLHub-projectMeta`)
    ).toContainText('public');
  });

  test('a caller without manage sees the members with every control disabled', async ({
    page
  }) => {
    const project = `readonly-${Date.now().toString(36)}`;
    await api(page, 'POST', 'projects', { name: project });
    // The registry decides; here it is made to answer as it does for a read member.
    await page.route(endpoint(`projects/${project}`), async route => {
      const response = await route.fetch();
      const body = await response.json();
      await route.fulfill({ response, json: { ...body, role: 'read' } });
    });

    const dialog = await openShare(page, project);
    await expect(dialog.locator('.jp-MLHub-shareYourRole')).toHaveText('read');
    await expect(dialog.locator('.jp-MLHub-shareNote')).toContainText('manage role');
    await expect(dialog.getByLabel('User to add')).toBeDisabled();
    await expect(dialog.getByRole('button', { name: 'Add' })).toBeDisabled();
    await expect(dialog.getByLabel(/^Public/)).toBeDisabled();
  });

  test('a refusal of the registry is shown verbatim', async ({ page }) => {
    const project = `refused-${Date.now().toString(36)}`;
    await api(page, 'POST', 'projects', { name: project });
    const refusal = `you may read project '${project}' but not share it (role read)`;
    await page.route(endpoint(`projects/${project}/members/carol`), route =>
      route.fulfill({
        status: 403,
        json: { error: { code: 'forbidden', message: refusal } }
      })
    );
    const dialog = await openShare(page, project);
    await dialog.getByLabel('User to add').fill('carol');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect(dialog.locator('.jp-MLHub-error')).toHaveText(refusal);
    await expect(dialog.getByLabel('User to add')).toHaveValue('carol');
    expect(await members(page, project)).toHaveLength(1);
  });
});
