# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install migrate seed serve bench clean messages syslibs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) syslibs

# PDF reports (WeasyPrint) need Pango and a font with every Vietnamese letter from the system: install them when
# missing (Debian/Ubuntu as root), otherwise say what to install. Everything else comes from PyPI.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
syslibs:
	@if ! { ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; }; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(PDF_DEBS) for PDF reports"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_DEBS) >/dev/null; \
	  else echo "PDF reports need: apt-get install $(PDF_DEBS)" >&2; fi; \
	fi

migrate: install
	@mkdir -p var
	$(BIN)/genbank-registry db upgrade

seed: migrate
	$(BIN)/genbank-registry seed demo --if-empty

run: seed
	$(BIN)/genbank-registry serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache test-artifacts

# Refresh the gettext catalogue after changing UI strings; then translate the new msgids in messages.po.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -o web/locale/messages.pot .
	$(BIN)/pybabel update -i web/locale/messages.pot -d web/locale -l vi --no-fuzzy-matching
