"""Model specs, training and evaluation on Dask, sweeps and prediction.

Modules, each with one job: :mod:`.specs` (what to train, validated before queueing),
:mod:`.tabular` / :mod:`.images` (features from a table), :mod:`.torch_models` (built-in
networks), :mod:`.fitting` (train a spec), :mod:`.evaluation` and :mod:`.plots`,
:mod:`.tasks` (functions sent to Dask), :mod:`.progress` (progress and abort between a
task and its caller), :mod:`.jobs` and :mod:`.sweep` (the caller's side),
:mod:`.cluster` (the Dask client), :mod:`.predict` (serving). Importing this package
loads none of them, so neither torch nor distributed is imported until needed.
"""
