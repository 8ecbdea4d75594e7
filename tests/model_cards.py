"""Model cards used by the card-import tests (tests/data, tests/server, tests/client).

Written in the shape of the Hugging Face hub's cards: YAML front matter with a
model-index, as the hub's card template and `evaluate` write them."""
from __future__ import annotations

SENTIMENT = """---
license: apache-2.0
language: en
tags:
- sentiment
- distilbert
datasets:
- imdb
metrics:
- accuracy
- f1
base_model: distilbert-base-uncased
pipeline_tag: text-classification
library_name: transformers
model-index:
- name: acme/sentiment-distilbert
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      name: IMDB
      type: imdb
      split: test
    metrics:
    - type: accuracy
      value: 0.931
      name: Accuracy
    - type: f1
      value: 0.928
---

# Sentiment DistilBERT

A DistilBERT fine-tuned on IMDB reviews: 66M parameters, English.

- **Developed by:** ACME Research
- **Model type:** text classifier
"""

SENTIMENT_V2 = SENTIMENT.replace("0.931", "0.945").replace("- distilbert\n", "- distilbert\n- v2\n").replace(
    "A DistilBERT fine-tuned on IMDB reviews", "A DistilBERT fine-tuned longer on IMDB reviews")

TWO_DATASETS = """---
model-index:
- name: two-sets
  results:
  - task: {type: text-classification}
    dataset: {name: IMDB, type: imdb, split: test}
    metrics: [{type: accuracy, value: 0.9}]
  - task: {type: text-classification}
    dataset: {name: SST-2, type: sst2, split: validation}
    metrics: [{type: accuracy, value: 0.8}]
parameters: 1.5B
developers: [Ada, Grace]
---
Body.
"""

NO_FRONT_MATTER = """# A plain README

This model predicts house prices. It has 12,345 parameters.
"""

BAD_YAML = """---
license: mit
tags: [sentiment, english
---
# Broken
"""

BAD_MODEL_INDEX = """---
model-index:
- name: broken
  results:
  - task: {type: text-classification}
    metrics: [{type: accuracy, value: 0.9}]
---
"""

NOT_A_MAPPING = """---
- license
- mit
---
"""

UNCLOSED = """---
license: mit
tags: [a]
# never closed
"""
