"""Drives the review page of a running `leafpress serve` in headless Chromium
(Debian's chromium and chromium-driver, through Selenium), as a reviewer's
browser would, and prints what it saw as JSON.

    python3 review_page.py URL PROJECT_DIR AXE_JS SCREENSHOT

It loads the page, counts the cards, then edits a message in the project's
content/messages.yaml and waits for the open page to show the new preview
without reloading; then breaks the YAML and waits for the problems banner,
and fixes it and waits for the banner to go. Last, it runs axe-core on the
page. Every wait is bounded; the times are reported.
"""

import json
import pathlib
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

url, project, axe_js, screenshot = sys.argv[1:5]
messages = pathlib.Path(project) / "content" / "messages.yaml"

opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for flag in [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1920,1200",
]:
    opts.add_argument(flag)
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
out = {}


def wait(what, ok, limit):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if ok():
            return round(time.monotonic() - start, 3)
        time.sleep(0.05)
    raise SystemExit(f"timed out after {limit} s waiting for {what}")


def search(words):
    """Types `words` in the search box; the (audience, language) of the cards
    it then shows, once any show (or none after 5 s)."""
    driver.execute_script(
        """var t = document.getElementById("f-text"); t.focus(); t.value = arguments[0];
           t.dispatchEvent(new Event("input"));""",
        words,
    )
    shown = """return [...document.querySelectorAll("article.card")].filter(c => !c.hidden && c.offsetParent !== null)
                 .map(c => c.closest("section.audience").dataset.audience + " " + c.dataset.language);"""
    start = time.monotonic()
    while not driver.execute_script(shown) and time.monotonic() - start < 5:
        time.sleep(0.05)
    return sorted(set(driver.execute_script(shown)))


try:
    driver.get(url)
    wait("the page", lambda: driver.execute_script("return document.readyState") == "complete", 10)
    out["cards"] = driver.execute_script("return document.querySelectorAll('.card').length")
    out["images_without_alt"] = driver.execute_script(
        "return [...document.images].filter(i => !i.alt).length"
    )
    # From the keyboard: Tab reaches the filters in order, then the pages.
    focus = []
    for _ in range(5):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focus.append(driver.execute_script(
            "var e = document.activeElement; return e.id || e.tagName.toLowerCase()"
        ))
    out["tab_order"] = focus
    # Choosing a language with the keyboard filters too.
    driver.execute_script("document.getElementById('f-language').focus()")
    ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()
    out["keyboard_filter_hidden"] = driver.execute_script(
        "return [...document.querySelectorAll('article.card')].filter(c => c.hidden).length"
    )
    driver.execute_script(
        "var s = document.getElementById('f-language'); s.value = ''; s.dispatchEvent(new Event('change'))"
    )
    # English and French of one output side by side: the same row, French
    # to the right, each at least 400 px wide at 1920 px.
    out["side_by_side"] = driver.execute_script(
        """var o = document.querySelector("section.audience[data-audience=workforce] section.output[data-layout=flyer]");
           var en = o.querySelector("article[data-language=en]").getBoundingClientRect();
           var fr = o.querySelector("article[data-language=fr]").getBoundingClientRect();
           return {en_left: en.left, en_right: en.right, fr_left: fr.left, en_top: en.top, fr_top: fr.top, width: en.width};"""
    )
    # The filters: French only, then a search.
    out["french_only"] = driver.execute_script(
        """var s = document.getElementById("f-language"); s.value = "fr"; s.dispatchEvent(new Event("change"));
           var shown = [...document.querySelectorAll("article.card")].filter(c => !c.hidden && c.offsetParent !== null);
           var langs = new Set(shown.map(c => c.dataset.language));
           s.value = ""; s.dispatchEvent(new Event("change"));
           return {shown: shown.length, languages: [...langs]};"""
    )
    out["search_media"] = driver.execute_script(
        """var t = document.getElementById("f-text"); t.value = "media and general"; t.dispatchEvent(new Event("input"));
           var shown = [...document.querySelectorAll("section.audience")].filter(s => !s.hidden).map(s => s.dataset.audience);
           t.value = ""; t.dispatchEvent(new Event("input"));
           return shown;"""
    )
    # A search inside the texts: words of one message find its audience's
    # cards in the language they are written in. The texts load when the
    # search box is first used, so the cards are waited for.
    out["search_english_words"] = search("commit to self-care")
    out["search_french_words"] = search("prendre soin d’eux-mêmes")
    out["search_two_places"] = search("prendre paraprofessionnels")
    search("")
    # A mark on the open page: gone if the page were reloaded.
    driver.execute_script("window.__reviewer_was_here = true")
    sel = "img[src^='en/flyer-workforce.p1.png']"
    before = driver.execute_script(f"return document.querySelector(\"{sel}\").src")
    text = messages.read_text(encoding="utf-8")
    messages.write_text(
        text.replace("Commit to self-care", "Commit, each week, to self-care", 1),
        encoding="utf-8",
    )
    out["update_seconds"] = wait(
        "the new preview",
        lambda: driver.execute_script(
            f"var i = document.querySelector(\"{sel}\"); return i && i.src"
        )
        not in (None, before),
        10,
    )
    out["reloaded"] = not driver.execute_script("return window.__reviewer_was_here === true")
    # The search knows the saved text too.
    out["search_after_save"] = search("each week")
    search("")
    # A mistake: the banner shows the problem; fixed, it goes.
    good = messages.read_text(encoding="utf-8")
    messages.write_text(good.replace("\naudiences:", "\n  oops: [\naudiences:", 1), encoding="utf-8")
    out["banner_seconds"] = wait(
        "the problems banner",
        lambda: driver.execute_script(
            "var b = document.getElementById('problems'); return !b.hidden && b.textContent"
        ),
        10,
    )
    out["banner"] = driver.execute_script("return document.getElementById('problems').textContent")
    messages.write_text(good, encoding="utf-8")
    out["banner_gone_seconds"] = wait(
        "the banner to go",
        lambda: driver.execute_script("return document.getElementById('problems').hidden"),
        10,
    )
    # The page has swapped in the last build's cards.
    gen = driver.execute_async_script(
        "var done = arguments[0]; fetch('/status.json').then(r => r.json()).then(s => done(s.generation));"
    )
    wait(
        "the last build's cards",
        lambda: driver.execute_script("return document.querySelector('#sheet img').src").endswith(f"?g={gen}"),
        10,
    )
    # The pages in view load (those further down wait until scrolled to).
    in_view = """return [...document.images].filter(i => { var r = i.getBoundingClientRect();
                   return r.bottom > 0 && r.top < innerHeight; })"""
    out["pages_in_view_seconds"] = wait(
        "the pages in view",
        lambda: driver.execute_script(in_view + ".every(i => i.complete && i.naturalWidth > 0)"),
        10,
    )
    out["pages_loaded"] = driver.execute_script(
        "return [...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
    )
    out["pages"] = driver.execute_script("return document.images.length")
    driver.save_screenshot(screenshot)
    # axe-core, in the page as it is now.
    driver.execute_script(pathlib.Path(axe_js).read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length}))));"
    )
    out["axe"] = result
    out["console"] = [
        e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")
    ]
finally:
    driver.quit()
print(json.dumps(out))
