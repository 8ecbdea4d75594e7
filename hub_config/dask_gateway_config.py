"""dask-gateway-server configuration: one Dask cluster per hub user, as a hub service.

Started by JupyterHub as the managed service ``dask-gateway`` (see jupyterhub_config.py),
which passes the JUPYTERHUB_* variables the gateway's JupyterHubAuthenticator reads.

Backend: ``UnsafeLocalBackend``, i.e. schedulers and workers are local processes of the
gateway's own unix user. The trial hub runs every single-user server as that same user
(SimpleLocalProcessSpawner, no system users), so per-user uids would add nothing here;
users are still separated by the gateway itself (each sees and connects only to her own
clusters, with a per-cluster TLS key). The per-user ``LocalBackend`` is NOT used: in
dask-gateway-server 2026.3.0, run as root, it chowns ``/`` to the cluster's user
(``paths.extend`` bug in ``setup_working_directory``). On a production hub use the
Kubernetes or jobqueue backend instead.
"""
import os
from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets)

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(os.environ.get("MLHUB_VENV") or HERE.parent / ".venv") / "bin"
RUN_DIR = Path(os.environ.get("MLHUB_HUB_RUN_DIR") or HERE / "run")

c.DaskGateway.address = f"127.0.0.1:{os.environ.get('MLHUB_GATEWAY_API_PORT', '8003')}"
c.Proxy.address = f"127.0.0.1:{os.environ.get('MLHUB_GATEWAY_PORT', '8002')}"
c.Proxy.prefix = "/services/dask-gateway"
c.Proxy.tcp_address = f"127.0.0.1:{os.environ.get('MLHUB_GATEWAY_TCP_PORT', '8786')}"

c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"
c.DaskGateway.authenticator_class = "dask_gateway_server.auth.JupyterHubAuthenticator"

c.UnsafeLocalBackend.clusters_directory = str(RUN_DIR / "dask-clusters")
# distributed 2026.8 no longer installs dask-scheduler/dask-worker (the gateway's defaults).
c.ClusterConfig.scheduler_cmd = [str(VENV_BIN / "dask"), "scheduler"]
c.ClusterConfig.worker_cmd = [str(VENV_BIN / "dask"), "worker"]
c.ClusterConfig.cluster_max_workers = int(os.environ.get("MLHUB_GATEWAY_MAX_WORKERS", "2"))
c.ClusterConfig.worker_cores = 1
c.ClusterConfig.worker_memory = "1 G"
c.ClusterConfig.scheduler_memory = "512 M"
c.ClusterConfig.idle_timeout = 1800  # seconds; a forgotten cluster does not live forever
# The deployment marker stop.sh looks for, passed on to schedulers and workers.
c.ClusterConfig.environment = {"MLHUB_HUB_INSTANCE": os.environ.get("MLHUB_HUB_INSTANCE", "")}
