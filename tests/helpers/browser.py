"""Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by selenium.

Installed by ``scripts/install-browser.sh`` (``make install``, ``.ci/run``). Where it is
missing outside CI the browser tests are skipped with the command that installs it; in CI
(``CI`` set) they fail instead, so a missing browser cannot pass for a green run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# Selenium Manager must never fetch a driver or a browser: both are given below.
os.environ.setdefault("SE_OFFLINE", "true")
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


def require_browser() -> None:
    if CHROMIUM and CHROMEDRIVER:
        return
    message = "Debian's chromium and chromium-driver are missing: run scripts/install-browser.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def headless_chromium(width: int = 1440, height: int = 1000) -> Iterator[webdriver.Chrome]:
    require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in (
        "--headless=new",
        "--no-sandbox",  # root in CI containers
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()
