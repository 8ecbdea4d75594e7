import { expect, test } from '@jupyterlab/galata';
import { shot } from '../shots';

/** A Hugging Face model card as the hub's template and `evaluate` write them. */
function card(name: string): string {
  return `---
license: apache-2.0
language: en
tags:
- sentiment
- distilbert
datasets:
- imdb
base_model: distilbert-base-uncased
pipeline_tag: text-classification
library_name: transformers
model-index:
- name: acme/${name}
  results:
  - task: {type: text-classification, name: Text Classification}
    dataset: {name: IMDB, type: imdb, split: test}
    metrics:
    - {type: accuracy, value: 0.931, name: Accuracy}
    - {type: f1, value: 0.928, name: F1}
---

# Sentiment DistilBERT

A DistilBERT fine-tuned on IMDB reviews: 66M parameters.

- **Developed by:** ACME Research
`;
}

test.describe('Model cards', () => {
  test('import a card from the Models sidebar: a bad card shows the server message, a good one its entry', async ({
    page
  }) => {
    const name = `sentiment-${Date.now().toString(36)}`;
    await page.click('.jp-SideBar [data-id="mlhub-models"]');
    const panel = page.locator('#mlhub-models');
    await expect(panel.getByRole('heading', { name: 'Models' })).toBeVisible();

    // A card whose front matter is not YAML: the registry's message, verbatim, and the text kept.
    await panel.getByRole('button', { name: 'Import card' }).click();
    let dialog = page.locator('.jp-Dialog');
    await expect(dialog.getByText('Import model card')).toBeVisible();
    const broken = '---\nlicense: mit\ntags: [sentiment, english\n---\n# Broken\n';
    await dialog.getByLabel('model card text').fill(broken);
    await dialog.getByLabel('model name').fill(`${name}-broken`);
    await dialog.getByRole('button', { name: 'Import' }).click();
    dialog = page.locator('.jp-Dialog');
    await expect(dialog.getByRole('alert')).toHaveText(
      "the model card's front matter is not valid YAML: expected ',' or ']', but got '<stream end>' at line 3, column 26"
    );
    await expect(dialog.getByLabel('model card text')).toHaveValue(broken);
    await dialog.screenshot({ path: 'test-results/model-card-dialog-error.png' });

    // Now the card file, picked with the file input; the name comes from its model-index.
    await dialog.getByLabel('model card text').fill('');
    await dialog.getByLabel('model name').fill('');
    await dialog.getByLabel('model card file').setInputFiles({
      name: 'README.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(card(name))
    });
    await expect(dialog.getByLabel('model card text')).toHaveValue(card(name));
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);

    // The model view opens on the imported version: its card facts and reported results.
    const view = page.locator(`.jp-MLHubModels-view[data-model="${name}"]`);
    await expect(view.getByRole('heading', { name: `Model ${name}` })).toBeVisible();
    const facts = view.getByLabel('card facts');
    await expect(facts.locator('div', { hasText: 'license' }).locator('dd')).toHaveText('apache-2.0');
    await expect(facts.locator('div', { hasText: 'base model' }).locator('dd')).toHaveText('distilbert-base-uncased');
    await expect(facts.locator('div', { hasText: 'parameters' }).locator('dd')).toHaveText((66000000).toLocaleString());
    await expect(facts.locator('div', { hasText: 'developer' }).locator('dd')).toHaveText('ACME Research');
    const results = view.getByRole('table', { name: 'reported results' });
    await expect(results.locator('tbody tr')).toHaveCount(2);
    await expect(results.locator('tbody tr').first()).toHaveText(/IMDB\s*test\s*Accuracy\s*0\.931/);
    await expect(view.getByText('Try it')).toHaveCount(0);   // no weights: nothing to predict with

    // The catalogue entry in the sidebar: type, library, developer, reported metric, tags.
    await panel.getByLabel('Search models').fill(name);
    const item = panel.locator(`.jp-MLHubModels-item[data-model="${name}"]`);
    await expect(item).toBeVisible();
    await expect(item.locator('.jp-MLHubModels-meta')).toContainText('card');
    await expect(item.locator('.jp-MLHubModels-meta')).toContainText('transformers');
    await expect(item.locator('.jp-MLHubModels-meta')).toContainText('ACME Research');
    await expect(item.locator('.jp-MLHubModels-metrics')).toContainText('accuracy 0.931');
    await expect(item.locator('.jp-MLHub-tag')).toHaveText(['sentiment', 'distilbert']);
    await expect(panel.locator(`.jp-MLHubModels-item[data-model="${name}-broken"]`)).toHaveCount(0);
    await page.screenshot({ path: shot('model-card.png') });
  });
});
