"""A small Chrome DevTools Protocol client for the report tests: opens a local page in headless
Chromium, records every request the page makes and every console error, evaluates script and takes
screenshots. Needs /usr/bin/chromium (Debian's package) and the websockets package."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def available() -> str | None:
    """None when the browser can be used, else why not."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is absent (apt-get install chromium fonts-noto-cjk; .ci/run installs it)"
    try:
        import websockets  # noqa: F401
    except ImportError:
        return "the websockets package is missing (pip install -e '.[test]')"
    return None


class BrowserUnavailable(RuntimeError):
    """Chromium is installed but could not start here (a sandbox, no /dev/shm …): tests skip."""


class Page:
    def __init__(self, ws, loop):
        self.ws, self.loop, self.n = ws, loop, 0
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.failed: list[str] = []

    async def call(self, method: str, **params):
        self.n += 1
        me = self.n
        await self.ws.send(json.dumps({"id": me, "method": method, "params": params}))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("id") == me:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def _event(self, msg: dict) -> None:
        m, p = msg.get("method"), msg.get("params", {})
        if m == "Network.requestWillBeSent":
            self.requests.append(p["request"]["url"])
        elif m == "Network.loadingFailed":
            self.failed.append(f"{p.get('errorText')} {p.get('requestId')}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.console_errors.append(" ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif m == "Runtime.exceptionThrown":
            self.console_errors.append(p["exceptionDetails"].get("text", "exception"))
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            self.console_errors.append(p["entry"].get("text", ""))

    async def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                self._event(json.loads(await asyncio.wait_for(self.ws.recv(), left)))
            except asyncio.TimeoutError:
                break

    async def evaluate(self, expr: str):
        r = await self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")

    async def screenshot(self, path: Path, selector: str | None = None) -> None:
        params = {"format": "png", "captureBeyondViewport": True}
        if selector:
            box = await self.evaluate(
                f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                " return [r.left + scrollX, r.top + scrollY, r.width, Math.min(r.height, 4000)]; })()")
            params["clip"] = {"x": box[0], "y": box[1], "width": box[2], "height": box[3], "scale": 1}
        else:
            h = await self.evaluate("Math.min(document.documentElement.scrollHeight, 6000)")
            params["clip"] = {"x": 0, "y": 0, "width": 1280, "height": h, "scale": 1}
        path.write_bytes(base64.b64decode((await self.call("Page.captureScreenshot", **params))["data"]))


def open_page(url: str, script):
    """Run ``await script(page)`` with ``url`` loaded in a fresh headless Chromium; returns its result."""
    import websockets

    profile = tempfile.mkdtemp(prefix="cdp-")
    proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                             "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,900",
                             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise BrowserUnavailable(f"chromium did not start (exit {proc.poll()})")
            time.sleep(0.1)
        port = port_file.read_text().split("\n")[0]
        import urllib.request

        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        ws_url = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]

        async def main():
            async with websockets.connect(ws_url, max_size=64 * 2**20) as ws:
                page = Page(ws, None)
                for domain in ("Network", "Runtime", "Log", "Page"):
                    await page.call(f"{domain}.enable")
                await page.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                                deviceScaleFactor=1, mobile=False)
                await page.call("Page.navigate", url=url)
                for _ in range(100):
                    if await page.evaluate("document.readyState") == "complete":
                        break
                    await asyncio.sleep(0.1)
                await page.drain(0.5)
                return await script(page)

        return asyncio.run(main())
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
