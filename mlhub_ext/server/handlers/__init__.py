"""Tornado handlers of the REST API, written as mixins over a host base class.

The same handler logic runs inside the Jupyter server (base: jupyter_server's
``APIHandler``), standalone (base: a token-checking ``RequestHandler``) and as a
JupyterHub service (base: ``HubOAuthenticated``). :func:`..routes.api_routes` composes them.
"""
