"""The application layer: what a request sets in motion across the lower layers, with no HTTP.

Imports ``core``, ``store``, ``data`` and ``train``; imported by ``server`` (never tornado here).

- :mod:`.container`: :class:`~.container.Services`, built once per server from one
  :class:`~.settings.Settings` (:mod:`.settings`), with one ``close()``;
- :mod:`.jobs`: training, sweeps and evaluations on Dask, followed to their end; the cluster
  comes from a provider of :mod:`.clusters` (local, address, gateway, per-user gateway);
- :mod:`.job_inputs`: a train request read into a spec, its dataset resolved and checked;
- :mod:`.predictions`: served predictions and the cache of loaded models;
- :mod:`.model_format`: scikit-learn models kept as checked skops files, never pickles;
- :mod:`.dataset_worker`: dataset ingestion (formats, statistics, diffs) in a worker process;
- :mod:`.cards`: model card imports;
- :mod:`.mlflow`: MLflow's REST API translated to the registry's calls.
"""
