"""Field readiness (issue 16): the worker and public pages' weight on the wire, and Lighthouse.

Figures, on gunicorn with DEBUG off and the collected static files (bench/server.py), the demo
city at scale 1, in real Chromium (Playwright) through a relay that counts the bytes the browser
received (compressed bodies and headers, the service worker's fetches included):
- for My day, a household, its visit form, a petition, the inbox (as the demo grid worker) and
  the public report and tracking pages (as a visitor): the first load with an empty cache, and
  a repeat visit (the browser's cache and the service worker in place), in KB, against the
  targets (first < 150 KB, repeat < 20 KB);
- what My day downloads after it has loaded to keep its households and forms for offline use;
- Lighthouse (npm, pinned in package.json) on My day with its default throttled mobile
  profile: the performance score, and whether the PWA installability checks pass.
"""

import json
import os
import subprocess
import tempfile

from bench.common import load_demo, report
from bench.server import ROOT, CountingProxy, available, gunicorn, session_cookie

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FIRST_TARGET_KB, REPEAT_TARGET_KB = 150, 20
SETTLE_MS = 1500  # after "load": the deferred scripts' own fetches and the worker's install
# Bytes the page fetched by script (My day's offline copies), headers included. (The files it
# puts in the static cache through the Cache API stay counted in its first load.)
COPIES = """() => performance.getEntriesByType("resource")
  .filter((entry) => entry.initiatorType === "fetch")
  .reduce((sum, entry) => sum + entry.transferSize, 0)"""


def _pages() -> list[tuple[str, str, bool]]:
    """(label, path, signed in) for the pages the issue names, on the demo's data."""
    from hlgrid.models import User
    from petitions.models import Petition
    from residents.selectors import household_list

    worker = User.objects.get(username="worker")
    household = household_list(user=worker).order_by("pk").first()
    petition = Petition.objects.filter(assignee=worker).order_by("pk").first()
    tracked = Petition.objects.exclude(tracking_code="").order_by("pk").first()
    return [
        ("My day", "/residents/", True),
        ("household", f"/residents/households/{household.pk}/", True),
        ("log visit", f"/residents/households/{household.pk}/visit/", True),
        ("petition", f"/petitions/{petition.pk}/", True),
        ("inbox", "/petitions/", True),
        ("public report form", "/petitions/report/", False),
        ("tracking page", f"/petitions/track/{tracked.tracking_code}/", False),
    ]


def _weights(port: int, cookie: str) -> None:
    from playwright.sync_api import sync_playwright

    pages = _pages()  # before Playwright: its event loop forbids the ORM in this thread
    proxy = CountingProxy(port)
    base = f"http://127.0.0.1:{proxy.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for label, path, signed_in in pages:
                context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
                if signed_in:
                    context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
                page = context.new_page()
                page.add_init_script("performance.setResourceTimingBufferSize(2000)")
                proxy.reset()
                page.goto(base + path, wait_until="load")
                extra = 0
                if path == "/residents/":
                    # My day goes on to copy its households and forms for offline use; those
                    # fetches (the page's own, initiator "fetch") are told apart by the page's
                    # Resource Timing, and the rest is the page's weight.
                    page.wait_for_selector("body[data-offline-ready]", timeout=120_000)
                    extra = page.evaluate(COPIES)
                page.wait_for_timeout(SETTLE_MS)
                first = proxy.reset() - extra
                page.goto(base + path, wait_until="load")
                page.wait_for_timeout(SETTLE_MS)
                repeat = proxy.reset()
                context.close()
                for kind, size, target in (
                    ("first load", first, FIRST_TARGET_KB),
                    ("repeat visit", repeat, REPEAT_TARGET_KB),
                ):
                    verdict = "within" if size / 1024 < target else "OVER"
                    report("pwa", f"{label}: {kind}", f"{size / 1024:.1f}", f"KB ({verdict} {target} KB)")
                if extra:
                    report("pwa", f"{label}: offline copies, after it loaded", f"{extra / 1024:.1f}", "KB")
            browser.close()
    finally:
        proxy.close()


def _lighthouse(port: int, cookie: str) -> None:
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        report("pwa", "Lighthouse", "skipped", "(npm ci installs it: make install-dev)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "lighthouse.json")
        command = [
            str(binary),
            f"http://127.0.0.1:{port}/residents/",
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,pwa",
            "--form-factor=mobile",
            "--throttling-method=simulate",
            f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--extra-headers",
            json.dumps({"Cookie": f"sessionid={cookie}"}),
        ]
        for _attempt in range(3):  # a trace now and then misses its start (NO_NAVSTART): again
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
            if result.returncode == 0 and os.path.exists(out):
                break
        if result.returncode != 0 or not os.path.exists(out):
            report("pwa", "Lighthouse", "failed", (result.stderr or result.stdout).strip()[-300:])
            return
        with open(out, encoding="utf-8") as f:
            lhr = json.load(f)
    categories, audits = lhr["categories"], lhr["audits"]
    report("pwa", "Lighthouse version", lhr["lighthouseVersion"])
    score = categories["performance"]["score"]
    report("pwa", "My day: performance score (throttled mobile)", f"{score * 100:.0f}", "/ 100")
    metrics = (
        "first-contentful-paint",
        "largest-contentful-paint",
        "total-blocking-time",
        "total-byte-weight",
    )
    for key in metrics:
        if key in audits:
            report("pwa", f"My day: {audits[key]['title']}", audits[key].get("displayValue", ""))
    installable = audits.get("installable-manifest", {})
    passed = installable.get("score") == 1
    reasons = [item.get("reason", "") for item in (installable.get("details") or {}).get("items", [])]
    why = "; ".join(r for r in reasons if r)
    report("pwa", "My day: PWA installability checks", "pass" if passed else "FAIL", why)
    for key in ("service-worker", "themed-omnibox", "maskable-icon", "viewport"):
        if key in audits:
            verdict = "pass" if audits[key].get("score") == 1 else "fail"
            report("pwa", f"My day: {audits[key]['title']}", verdict)


def run(*, scale: int) -> None:
    why = available()
    if why or not os.path.exists(CHROMIUM):
        report("pwa", "page weights and Lighthouse", "skipped", why or f"(needs Chromium at {CHROMIUM})")
        return
    load_demo(scale=1)
    cookie = session_cookie("worker")
    with gunicorn() as port:
        _weights(port, cookie)
        _lighthouse(port, cookie)
