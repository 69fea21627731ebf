"""One module per format: streaming parsers that yield `schemas` objects, and the loader that calls the core."""
