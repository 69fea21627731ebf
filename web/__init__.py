"""The web face of the registry: `create_app(settings)` builds pages and the JSON API over one database."""
