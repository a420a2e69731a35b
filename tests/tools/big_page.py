"""Opens a large review page (a batch of many audiences) in headless Chromium
and prints, as JSON, how long it took to load, how many of its pictures were
fetched (only those near the view should be), how long a search took, and
whether a page far down loads once scrolled to.

    python3 big_page.py URL
"""

import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--window-size=1280,900"]:
    opts.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
out = {}
try:
    driver.get(sys.argv[1])
    # From the request to the end of the page's load event, as the browser timed it.
    out["load_seconds"] = driver.execute_script(
        "var n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd / 1000"
    )
    out["interactive_seconds"] = driver.execute_script(
        "var n = performance.getEntriesByType('navigation')[0]; return n.domInteractive / 1000"
    )
    out["cards"] = driver.execute_script("return document.querySelectorAll('article.card').length")
    out["images"] = driver.execute_script("return document.images.length")
    time.sleep(0.5)
    out["fetched"] = driver.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.initiatorType === 'img').length"
    )
    out["search_seconds"] = driver.execute_script(
        """var t = document.getElementById("f-text"), s = performance.now();
           t.value = "audience 777"; t.dispatchEvent(new Event("input"));
           var took = (performance.now() - s) / 1000;
           window.__shown = [...document.querySelectorAll("section.audience")].filter(a => !a.hidden).map(a => a.dataset.audience);
           return took;"""
    )
    out["search_found"] = driver.execute_script("return window.__shown")
    # Words only a message has: the texts load with the first search (the
    # box is cleared and used afresh), so this times their load as well.
    driver.execute_script(
        """var t = document.getElementById("f-text"); t.value = ""; t.dispatchEvent(new Event("input"));
           window.__start = performance.now(); t.value = "for audience 777,"; t.dispatchEvent(new Event("input"));"""
    )
    shown = """return [...document.querySelectorAll("section.audience")].filter(a => !a.hidden).map(a => a.dataset.audience)"""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and driver.execute_script(shown) != ["gen-777"]:
        time.sleep(0.02)
    out["text_search_seconds"] = driver.execute_script("return (performance.now() - window.__start) / 1000")
    out["text_search_found"] = driver.execute_script(shown)
    driver.execute_script(
        """var t = document.getElementById("f-text"); t.value = ""; t.dispatchEvent(new Event("input"));
           document.querySelector("section.audience:last-of-type").scrollIntoView();"""
    )
    last = "document.querySelector('section.audience:last-of-type img')"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if driver.execute_script(f"var i = {last}; return i.complete && i.naturalWidth > 0"):
            break
        time.sleep(0.05)
    out["last_loaded"] = driver.execute_script(f"var i = {last}; return i.complete && i.naturalWidth > 0")
finally:
    driver.quit()
print(json.dumps(out))
