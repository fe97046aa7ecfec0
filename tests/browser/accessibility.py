"""axe-core (bundled by axe-playwright-python: no network at test time) over a page in the browser, with the
WCAG 2.1 A and AA rules, and the keyboard checks axe cannot make: is the focused element visible, with a ring."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import BrowserContext, Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
# By default axe leaves text shorter than two characters out of the contrast check ("too short to tell if it is
# text"): the monitoring tables are full of single digits, the muted zeros among them. Check them too.
# (axe.configure replaces a check's options whole: keep its defaults, the contrast thresholds among them.)
AXE_RUN = """options => {
  const contrast = axe._audit.checks["color-contrast"].options;
  axe.configure({checks: [{id: "color-contrast", options: {...contrast, ignoreLength: true}}]});
  return axe.run(document, options);
}"""


def axe_in_every_page(context: BrowserContext) -> None:
    """axe-core in each page the context opens (parsed there once, rather than sent with every check)."""
    context.add_init_script(AXE_SCRIPT)


def axe_violations(page: Page) -> list[str]:
    """One line per rule broken on the page as it is now: the rule, its impact, the first elements, the fix."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE_SCRIPT)
    results: dict[str, Any] = page.evaluate(AXE_RUN, AXE_OPTIONS)
    found = []
    for violation in results["violations"]:
        nodes = violation["nodes"]
        targets = ", ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
        more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
        summary = nodes[0].get("failureSummary", "").replace("\n", " ") if nodes else ""
        found.append(f"{violation['id']} ({violation['impact']}): {targets}{more}: {summary}")
    return found


FOCUS_RING = "rgb(240, 165, 0)"  # --focus in app.css
# What hides the focused element or its ring: something on top of its centre (a sticky bar), no ring, a ring
# of another colour (a component's own outline winning over the focus ring), an ancestor clipping the ring.
FOCUS_PROBLEMS = """ring => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const describe = e => e ? e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "") : "nothing";
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const problems = [];
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  if (!top || !(top === el || el.contains(top))) problems.push("hidden under " + describe(top));
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  if (!outline && style.boxShadow === "none") problems.push("no focus ring");
  else if (outline && style.outlineColor !== ring) problems.push("outline " + style.outlineColor + " instead of the focus ring");
  const grow = outline ? parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) : 0;
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === "visible" && s.overflowY === "visible") continue;
    const r = a.getBoundingClientRect();
    if (box.left - grow < r.left - 0.5 || box.right + grow > r.right + 0.5 ||
        box.top - grow < r.top - 0.5 || box.bottom + grow > r.bottom + 0.5) {
      problems.push("ring clipped by " + describe(a));
      break;
    }
  }
  return {name: describe(el) + " " + (el.textContent || el.value || "").trim().slice(0, 30), problems: problems};
}"""


def focus_problems(page: Page) -> tuple[str, list[str]] | None:
    """The element focused now, and what keeps a keyboard user from seeing it (nothing focused: None)."""
    state: dict[str, Any] | None = page.evaluate(FOCUS_PROBLEMS, FOCUS_RING)
    return None if state is None else (state["name"], state["problems"])


# What a screen reader needs that axe does not check: every id an aria-describedby or aria-labelledby names is
# on the page, and (on a page not in Thai) no Thai text outside an element marked lang="th".
SCREEN_READER_PROBLEMS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("[aria-describedby], [aria-labelledby]")) {
    for (const attr of ["aria-describedby", "aria-labelledby"]) {
      for (const id of (el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) problems.push(attr + " of " + (el.id || el.tagName) + " names no " + id);
      }
    }
  }
  if (!/^th\\b/.test(document.documentElement.lang)) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, parent = node.parentElement;
      if (!/[\\u0E00-\\u0E7F]/.test(node.nodeValue) || parent.closest("script, style, textarea, option")) continue;
      const marked = parent.closest("[lang]");
      if (!marked || !/^th\\b/.test(marked.lang)) problems.push("Thai not marked lang=th: " + node.nodeValue.trim().slice(0, 40));
    }
  }
  return problems;
}"""


def screen_reader_problems(page: Page) -> list[str]:
    problems: list[str] = page.evaluate(SCREEN_READER_PROBLEMS)
    return problems
