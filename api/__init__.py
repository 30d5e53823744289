"""User-facing interfaces over the library: the FastAPI app (``api.app``) and the CLI (``api.cli``)."""
