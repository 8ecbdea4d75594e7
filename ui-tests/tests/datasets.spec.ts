import { expect, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { shot } from '../shots';
import { API, xsrfHeaders } from './helpers';

/** Upload and register `text` as `filename` through the chunked upload API. */
async function registerOverApi(
  page: Page,
  filename: string,
  text: string,
  extra: Record<string, unknown> = {}
): Promise<any> {
  const headers = await xsrfHeaders(page);
  const data = Buffer.from(text);
  const sha = createHash('sha256').update(data).digest('hex');
  const created = await page.request.post(`${API}/uploads`, {
    data: { filename, size: data.length },
    headers
  });
  expect(created.ok(), await created.text()).toBe(true);
  const upload = await created.json();
  const chunk = await page.request.put(`${API}/uploads/${upload.id}/chunks/0`, {
    data,
    headers: { ...headers, 'Content-Type': 'application/octet-stream', 'X-Chunk-SHA256': sha }
  });
  expect(chunk.ok(), await chunk.text()).toBe(true);
  const done = await page.request.post(`${API}/uploads/${upload.id}/complete`, {
    data: { sha256: sha },
    headers
  });
  expect(done.ok(), await done.text()).toBe(true);
  const reg = await page.request.post(`${API}/datasets`, {
    data: { upload_id: upload.id, ...extra },
    headers
  });
  expect(reg.ok(), await reg.text()).toBe(true);
  return reg.json();
}

/** Drop a file on the Datasets sidebar the way a desktop drag would (text or raw bytes). */
async function dropFile(panel: Locator, page: Page, name: string, content: string | Buffer): Promise<void> {
  const base64 = Buffer.from(content).toString('base64');
  const dataTransfer = await page.evaluateHandle(
    ([fileName, data]) => {
      const raw = Uint8Array.from(atob(data), c => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([raw], fileName));
      return dt;
    },
    [name, base64]
  );
  await panel.locator('.jp-MLHub-datasets').dispatchEvent('dragover', { dataTransfer });
  await panel.locator('.jp-MLHub-datasets').dispatchEvent('drop', { dataTransfer });
}

/** The Upload form shown after files are picked or dropped. */
function uploadForm(panel: Locator): Locator {
  return panel.getByRole('form', { name: 'upload dataset' });
}

/** Drop a file and register it with the Upload form's defaults. */
async function dropAndRegister(panel: Locator, page: Page, name: string, content: string | Buffer): Promise<void> {
  await dropFile(panel, page, name, content);
  await uploadForm(panel).getByRole('button', { name: 'Register', exact: true }).click();
}

/** An Excel workbook made with openpyxl (the Python of the lab under test). */
function workbook(sheets: Record<string, unknown[][]>): Buffer {
  const script = [
    'import io, json, sys, base64, openpyxl',
    'wb = openpyxl.Workbook(); wb.remove(wb.active)',
    'for title, rows in json.loads(sys.argv[1]).items():',
    '    ws = wb.create_sheet(title)',
    '    [ws.append(r) for r in rows]',
    'out = io.BytesIO(); wb.save(out); print(base64.b64encode(out.getvalue()).decode())'
  ].join('\n');
  const b64 = execFileSync(process.env.MLHUB_PYTHON ?? 'python', ['-c', script, JSON.stringify(sheets)]);
  return Buffer.from(b64.toString().trim(), 'base64');
}

function datasetsPanel(page: Page): Locator {
  return page.locator('#mlhub-datasets');
}

test.describe('Datasets', () => {
  test('drag-and-drop upload, dataset view, versions and rollback', async ({ page }) => {
    const suffix = Date.now().toString(36);
    const name = `drop_test_${suffix}`;
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${(i * 0.5).toFixed(1)},${i % 3 ? 'a' : 'b'}`);
    const csv = `id,score,group\n${rows.join('\n')}\n`;

    await page.click('.jp-SideBar [data-id="mlhub-datasets"]');
    const panel = datasetsPanel(page);
    await expect(panel.getByRole('button', { name: 'Upload' })).toBeVisible();

    await dropAndRegister(panel, page, `Drop Test ${suffix}.csv`, csv);
    const item = panel.locator(`.jp-MLHub-dataset[data-dataset="${name}"]`);
    await expect(item).toBeVisible({ timeout: 30000 });
    await expect(item).toContainText('v1');
    await expect(item).toContainText('50 rows');

    // The same name again is a conflict: the server's message is shown on the upload row.
    await dropAndRegister(panel, page, `Drop Test ${suffix}.csv`, csv);
    await expect(panel.locator('.jp-MLHub-upload-failed')).toContainText('already exists', { timeout: 30000 });
    await panel.locator('.jp-MLHub-upload-failed').getByRole('button', { name: 'Dismiss' }).click();

    // A second version made elsewhere (here: the API), then the view.
    await registerOverApi(page, `${name}.csv`, `id,score,group\n1,0.5,a\n2,1.0,b\n`, {
      new_version: true,
      message: 'two rows only'
    });
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect(item).toContainText('v2');
    await item.getByRole('button', { name: new RegExp(name) }).click();

    const view = page.locator(`.jp-MLHub-datasetView[data-dataset="${name}"]`);
    await expect(view.getByRole('heading', { name: new RegExp(`${name}\\s+version 2`) })).toBeVisible();
    await expect(view.getByRole('table', { name: 'preview' }).locator('tbody tr')).toHaveCount(2);
    const stats = view.getByRole('table', { name: 'statistics' });
    await expect(stats.locator('tr[data-column="score"]')).toContainText('double');
    await expect(view.locator('.jp-MLHub-versions li')).toHaveCount(2);
    await expect(view.locator('.jp-MLHub-versions li[data-version="2"]')).toContainText('two rows only');

    // Version 1 in the view: 50 rows, a histogram per numeric column.
    await view.locator('.jp-MLHub-versions li[data-version="1"]').getByRole('button', { name: 'v1' }).click();
    await expect(view.getByRole('table', { name: 'preview' }).locator('tbody tr')).toHaveCount(20);
    await expect(stats.locator('tr[data-column="id"] svg.jp-MLHub-histogram rect').first()).toBeVisible();
    await expect(stats.locator('tr[data-column="id"]')).toContainText('24.5'); // mean of 0..49

    await view.getByRole('button', { name: 'Rollback to version 1' }).click();
    await expect(view.locator('.jp-MLHub-versions li')).toHaveCount(3);
    await expect(view.locator('.jp-MLHub-versions li[data-version="3"]')).toContainText('rollback to version 1');
    await expect(view.getByRole('heading', { name: new RegExp(`${name}\\s+version 3`) })).toBeVisible();
    await expect(view.getByRole('table', { name: 'preview' }).locator('tbody tr')).toHaveCount(20);
    await expect(item).toContainText('v3'); // the sidebar follows the rollback
    await page.screenshot({ path: shot('datasets.png') });
  });

  test('Insert code to load puts the loading line into the notebook', async ({ page }) => {
    const suffix = Date.now().toString(36);
    const name = `insert_${suffix}`;
    await registerOverApi(page, `${name}.csv`, 'a,b\n1,2\n3,4\n');
    await page.notebook.createNew();
    await page.click('.jp-SideBar [data-id="mlhub-datasets"]');
    const panel = datasetsPanel(page);
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await panel.getByRole('button', { name: new RegExp(name) }).click();
    const view = page.locator(`.jp-MLHub-datasetView[data-dataset="${name}"]`);
    await view.getByRole('button', { name: 'Insert code to load' }).click();
    await expect(page.locator('.jp-Notebook .jp-Cell').nth(1)).toContainText(
      `mh.datasets.get("${name}", version=1).to_pandas()`
    );
  });
});

test('Register as Dataset from the file browser context menu', async ({ page, tmpPath }) => {
  const suffix = Date.now().toString(36);
  const file = `From Browser ${suffix}.csv`;
  await page.contents.uploadContent('k,v\n1,one\n2,two\n3,three\n', 'text', `${tmpPath}/${file}`);
  await page.filebrowser.openDirectory(tmpPath);
  await page.locator('.jp-DirListing-item', { hasText: file }).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Register as Dataset' }).click();
  await uploadForm(datasetsPanel(page)).getByRole('button', { name: 'Register', exact: true }).click();
  const name = `from_browser_${suffix}`;
  await expect(page.locator(`.jp-MLHub-datasetView[data-dataset="${name}"]`)).toBeVisible({ timeout: 30000 });
  await expect(
    page.locator(`.jp-MLHub-datasetView[data-dataset="${name}"]`).getByRole('table', { name: 'preview' }).locator('tbody tr')
  ).toHaveCount(3);
  await expect(datasetsPanel(page).locator(`.jp-MLHub-dataset[data-dataset="${name}"]`)).toContainText('3 rows');
});

test('Upload form: name, description, tags, a new version, the sheet of a workbook', async ({ page }) => {
  const suffix = Date.now().toString(36);
  const name = `form_${suffix}`;
  await page.click('.jp-SideBar [data-id="mlhub-datasets"]');
  const panel = datasetsPanel(page);
  const form = uploadForm(panel);

  // Name, description and tags from the form.
  await dropFile(panel, page, 'Sales Export.csv', 'month,amount\n1,10.5\n2,11.25\n');
  await expect(form).toBeVisible();
  await expect(form.getByRole('textbox', { name: 'dataset name' })).toHaveAttribute('placeholder', 'sales_export');
  await expect(form.getByRole('combobox', { name: 'sheet' })).toHaveCount(0); // not a workbook
  await form.getByRole('textbox', { name: 'dataset name' }).fill(name);
  await form.getByRole('textbox', { name: 'description' }).fill('monthly sales, raw export');
  await form.getByRole('textbox', { name: 'tags' }).fill('raw, sales, raw');
  await form.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(form).toHaveCount(0);
  const item = panel.locator(`.jp-MLHub-dataset[data-dataset="${name}"]`);
  await expect(item).toContainText('v1', { timeout: 30000 });
  await expect(item.locator('.jp-MLHub-tag')).toHaveText(['raw', 'sales']);
  await expect(item.getByRole('button', { name: new RegExp(name) })).toHaveAttribute(
    'title',
    'monthly sales, raw export'
  );

  // The same name again: the server's "pass new_version=True" is answered on the upload row,
  // with the upload already on the server (no second transfer).
  await dropFile(panel, page, 'Sales Export.csv', 'month,amount\n3,12\n');
  await form.getByRole('textbox', { name: 'dataset name' }).fill(name);
  await form.getByRole('button', { name: 'Register', exact: true }).click();
  const failed = panel.locator('.jp-MLHub-upload-failed');
  await expect(failed).toContainText(`dataset '${name}' already exists; pass new_version=True`, { timeout: 30000 });
  await panel.screenshot({ path: test.info().outputPath('conflict.png') });
  await failed.getByRole('button', { name: `Add as a new version of ${name}` }).click();
  await expect(failed).toHaveCount(0);
  await expect(item).toContainText('v2', { timeout: 30000 });

  // "Add as a new version of" chosen in the form, for a file of another name.
  await dropFile(panel, page, 'april.csv', 'month,amount\n4,13\n');
  await form.getByRole('combobox', { name: 'add as a new version of' }).selectOption(name);
  await expect(form.getByRole('textbox', { name: 'dataset name' })).toBeDisabled();
  await expect(form.getByRole('textbox', { name: 'dataset name' })).toHaveValue(name);
  await form.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(item).toContainText('v3', { timeout: 30000 });

  // A workbook: its sheets are offered; the one chosen is read and the view says so.
  const book = workbook({
    readme: [['data are on the next sheet']],
    data: [['region', null, 'sales'], ['north', 1, 10.5], ['south', 2, 7.25]]
  });
  await dropFile(panel, page, `Regions ${suffix}.xlsx`, book);
  const sheet = form.getByRole('combobox', { name: 'sheet' });
  await expect(sheet.locator('option')).toHaveText(['(the first sheet with rows)', 'readme', 'data']);
  await sheet.selectOption('data');
  await form.getByRole('textbox', { name: 'tags' }).fill('regions');
  await panel.screenshot({ path: shot('datasets-upload-form.png') });
  await form.getByRole('button', { name: 'Register', exact: true }).click();
  const regions = `regions_${suffix}`;
  await panel.getByRole('button', { name: new RegExp(regions) }).click({ timeout: 30000 });
  const view = page.locator(`.jp-MLHub-datasetView[data-dataset="${regions}"]`);
  const note = view.getByRole('list', { name: 'how the file was read' });
  await expect(note.locator('[data-note="sheet"]')).toHaveText(
    'Read from sheet “data”; the workbook’s other sheets: “readme”.'
  );
  await expect(note.locator('[data-note="renamed"]')).toHaveText('Blank header cells were named: column 2 → column_2.');
  await expect(view.getByRole('table', { name: 'preview' }).locator('thead th')).toContainText([
    'region',
    'column_2',
    'sales'
  ]);
  await expect(view.getByRole('table', { name: 'preview' }).locator('tbody tr')).toHaveCount(2);
  await page.screenshot({ path: shot('datasets-reading-note.png') });
});
