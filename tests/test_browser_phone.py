"""The registry on a phone (a 390 px wide viewport): the page never scrolls sideways, no menu word is broken
across lines, wide tables scroll inside their own box, and chart titles are not cut off. Screenshots of each
page go to test-artifacts/phone-*.png for a person to look at."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from genbank_registry.db import make_engine
from genbank_registry.models import Accession

from .browser_support import PASSWORD, browser, registry, shot, sign_in

__all__ = ["browser", "registry"]
pytestmark = pytest.mark.browser
WIDTH = 390

# What a page's layout does wrong on this screen, as a list of sentences (empty: nothing).
LAYOUT_PROBLEMS = """(width) => {
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page} px wide (the screen ${width} px): it scrolls sideways`);
  // Menu and account items: each on one line (a Vietnamese word is several syllables: "Bản đồ" must not become
  // "Bản" and "đồ" on two lines), none broken mid-syllable, every one inside the screen.
  for (const link of document.querySelectorAll("header.site nav a, header.site .account a, "
                                               + "header.site .account button, header.site .lang-switch")) {
    const box = link.getBoundingClientRect(), label = link.textContent.trim();
    if (box.left < 0 || box.right > width) problems.push(`menu item "${label}" sticks out`);
    const rows = new Set([...link.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (rows.size > 1) problems.push(`menu item "${label}" is broken across ${rows.size} lines`);
    const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) problems.push(`menu word "${m[0]}" is broken mid-word`);
      }
    }
  }
  // A table wider than its box scrolls inside a box of its own that fits the screen.
  for (const table of document.querySelectorAll("main table")) {
    const box = table.getBoundingClientRect();
    let holder = table.parentElement;
    while (holder && !["auto", "scroll"].includes(getComputedStyle(holder).overflowX)) holder = holder.parentElement;
    if (holder) {
      const hold = holder.getBoundingClientRect();
      if (hold.left < 0 || hold.right > width + 0.5) problems.push(`a table's scrolling box sticks out (${hold.right} px)`);
    } else if (box.left < 0 || box.right > width + 0.5 || table.scrollWidth > table.parentElement.clientWidth + 1) {
      problems.push(`a table ${Math.round(box.width)} px wide (${table.dataset.testid || table.className}) `
                    + `is not in a scrolling box`);
    }
  }
  // Charts: inside the screen, and the title (the first text) inside the drawing.
  for (const svg of document.querySelectorAll("svg.chart")) {
    const box = svg.getBoundingClientRect();
    if (box.left < 0 || box.right > width + 0.5) problems.push(`a chart sticks out (${Math.round(box.right)} px)`);
    const title = svg.querySelector("text"), view = svg.viewBox.baseVal;
    if (title) {
      const t = title.getBBox();
      if (t.x < view.x || t.x + t.width > view.x + view.width + 0.5)
        problems.push(`chart title "${title.textContent}" is cut off (${Math.round(t.x + t.width)} of ${view.width})`);
    }
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def phone(browser, registry):
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="vi-VN", base_url=registry[0])
    page = context.new_page()
    yield page
    context.close()


def _draft_id(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        found = session.exec(select(Accession.id).where(Accession.publication_status == "draft")
                             .order_by(Accession.id)).first()
    engine.dispose()
    return found


PUBLIC = [("home", "/"), ("catalogue", "/catalogue?q=lua"), ("accession", "/accessions/CTU/CAY-0001"),
          ("reports", "/reports"), ("reports-diversity", "/reports/diversity"),
          ("reports-coverage", "/reports/coverage"), ("sequences", "/sequences")]
SIGNED_IN = [("imports", "/imports"), ("curation", "/curation"), ("curation-accession", "/curation/accessions/{draft}"),
             ("curation-history", "/curation/accessions/{draft}/history"), ("curation-taxa", "/curation/taxa")]


def test_pages_fit_a_phone_screen(phone, registry):
    problems = {}
    draft = _draft_id(registry[1])
    for signed_in, pages in ((False, PUBLIC), (True, SIGNED_IN)):
        if signed_in:
            sign_in(phone, "minh", PASSWORD)
        for name, path in pages:
            phone.goto(path.format(draft=draft))
            shot(phone, f"phone-{name}")
            found = phone.evaluate(LAYOUT_PROBLEMS, WIDTH)
            if found:
                problems[path] = found
    assert not problems, "\n".join(f"{path}: {'; '.join(found)}" for path, found in problems.items())
