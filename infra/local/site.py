"""Static sites served next to the API, as CloudFront serves them from S3 on AWS: the workbench's
built files (`make` builds them into build/workbench/) at /workbench/.

Only files under the site's folder are served (no `..`, no directory listings); the prefix itself
is the app's index.html (the app routes in the URL's fragment, so no other path needs it). Missing
build: 404 naming the make target, never a stack trace.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.wrappers import Request, Response

WORKBENCH_PREFIX = "/workbench"
WORKBENCH_BUILD = Path("build") / "workbench"
# The shell page is read fresh on every load; the hashed-name-free bundle is short-lived too, so a
# rebuild shows up on reload (CloudFront's behaviour sets its own TTLs on AWS).
CACHE_CONTROL = "no-cache"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def content_security_policy(image_origins: tuple[str, ...] = ()) -> str:
    """The page's CSP: everything from its own origin; images also from `image_origins` (the media
    bucket's, whose presigned URLs the workbench shows as thumbnails), as CloudFront's
    WorkbenchSecurityHeaders allows the bucket's on AWS."""
    images = " ".join(("'self'", "data:", "blob:", *image_origins))
    return (f"default-src 'self'; img-src {images}; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'")


class StaticSite:
    """One built single-page app under a URL prefix."""

    def __init__(self, prefix: str, root: Path, image_origins: tuple[str, ...] = ()) -> None:
        self.prefix = prefix.rstrip("/")
        self.root = root
        self.headers = {"Content-Security-Policy": content_security_policy(image_origins), **SECURITY_HEADERS}

    def serves(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("method not allowed", status=405, headers={"Allow": "GET, HEAD"})
        if request.path == self.prefix:
            return Response(status=301, headers={"Location": self.prefix + "/"})
        relative = request.path[len(self.prefix) + 1:]
        relative = relative or "index.html"
        target = safe_join(str(self.root), relative)
        if target is None or not Path(target).is_file():
            hint = "" if (self.root / "index.html").is_file() else " (not built: run `make workbench`)"
            return Response(f"not found{hint}", status=404, content_type="text/plain; charset=utf-8")
        content_type = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        body = b"" if request.method == "HEAD" else Path(target).read_bytes()
        return Response(body, status=200, content_type=content_type,
                        headers={"Cache-Control": CACHE_CONTROL, **self.headers})


def workbench(project_root: Path, image_origins: tuple[str, ...] = ()) -> StaticSite:
    return StaticSite(WORKBENCH_PREFIX, project_root / WORKBENCH_BUILD, image_origins)
