"""Screenshot a blueprint page in headless Chromium (Debian's chromium + chromium-driver, selenium), after KaTeX
has rendered it: the picture in the README (``docs/verify_blueprint.png``).

    conslaw verify --out verify-out
    python tools/screenshot_blueprint.py verify-out/index.html docs/verify_blueprint.png [--width 1300 --height 1900]
"""
from __future__ import annotations

import argparse
import pathlib
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page")
    parser.add_argument("png")
    parser.add_argument("--width", type=int, default=1300)
    parser.add_argument("--height", type=int, default=1900)
    args = parser.parse_args()
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--window-size={args.width},{args.height}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        driver.get(pathlib.Path(args.page).resolve().as_uri())
        deadline = time.monotonic() + 30
        body = driver.find_element("tag name", "body")
        while body.get_attribute("data-math-rendered") is None and time.monotonic() < deadline:
            time.sleep(0.1)
        driver.execute_async_script("var done = arguments[0]; document.fonts.ready.then(function () { done(); });")
        driver.save_screenshot(args.png)
        print(f"{args.png}: {body.get_attribute('data-math-rendered')} formulas rendered, "
              f"{body.get_attribute('data-math-failed')} failed")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
