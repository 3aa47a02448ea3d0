#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A patchwork REST API (1.2) small enough for a test, serving one project's series.

    fake_patchwork.py PATCH_DIR [--no-cover] -- COMMAND...

PATCH_DIR holds `git format-patch --cover-letter` output (0000-cover-letter.patch, then the
patches). The server lists two series on two pages (a Link rel="next" header, as patchwork
paginates): an incomplete one (received_all false) and the posted series, whose objects are
shaped as docs/api/schemas/v1.2/patchwork.yaml describes them. Its mboxes are patchwork's:
the series mbox holds the patches only, the cover letter has its own. COMMAND runs with
`{url}` replaced by the API's URL; afterwards a JSON object goes to standard output: the
command's returncode, stdout and stderr, every request (method, path, query) and every
POST (path, Authorization, Content-Type, body).
"""

import email
import email.policy
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROJECT = {
    "id": 7,
    "url": None,
    "name": "Xen development",
    "link_name": "xen",
    "list_id": "xen-devel.lists.example.org",
    "list_email": "xen-devel@lists.example.org",
    "web_url": "https://xen.example.org/",
    "scm_url": "https://git.example.org/xen.git",
    "webscm_url": "https://git.example.org/xen",
    "list_archive_url": "https://lore.example.org/xen-devel",
    "list_archive_url_format": "https://lore.example.org/xen-devel/{}",
    "commit_url_format": "https://git.example.org/xen/commit/?id={}",
}
SUBMITTER = {"id": 3, "url": None, "name": "Xen Developer", "email": "xen-devel@example.org"}
DATE = "2026-06-01T10:00:00"


def patchwork_mbox(raw, submission_id):
    """One message as patchwork's patch_to_mbox() writes it: its own From_ line and
    X-Patchwork-* headers before the mail's."""
    lines = raw.split(b"\n")
    head = b"From patchwork Mon Jun  1 10:00:00 2026\nX-Patchwork-Id: %d\n" % submission_id
    return head + b"\n".join(lines[1:])


def build(patch_dir, base_url, with_cover):
    names = sorted(n for n in os.listdir(patch_dir) if n.endswith(".patch"))
    messages = []
    for name in names:
        with open(os.path.join(patch_dir, name), "rb") as f:
            raw = f.read()
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        messages.append((name, raw, mail["Message-ID"].strip(), str(mail["Subject"])))
    cover, patches = messages[0], messages[1:]
    assert cover[0].startswith("0000-"), "the first file is the cover letter"
    api = f"{base_url}/api/1.2"
    project = dict(PROJECT, url=f"{api}/projects/7/")
    submitter = dict(SUBMITTER, url=f"{api}/people/3/")

    files = {}
    patch_objects = []
    for i, (name, raw, msgid, subject) in enumerate(patches):
        patch_id = 1001 + 10 * i
        quoted = urllib.parse.quote(msgid.strip("<>"))
        files[f"/project/xen/patch/{quoted}/mbox/"] = patchwork_mbox(raw, patch_id)
        patch_objects.append({
            "id": patch_id,
            "url": f"{api}/patches/{patch_id}/",
            "web_url": f"{base_url}/project/xen/patch/{quoted}/",
            "msgid": msgid,
            "list_archive_url": f"https://lore.example.org/xen-devel/{quoted}",
            "date": DATE,
            "name": subject,
            "mbox": f"{base_url}/project/xen/patch/{quoted}/mbox/",
        })
    files["/series/42/mbox/"] = b"\n".join(
        files[urllib.parse.urlparse(p["mbox"]).path] for p in patch_objects)

    cover_object = None
    if with_cover:
        name, raw, msgid, subject = cover
        quoted = urllib.parse.quote(msgid.strip("<>"))
        files[f"/project/xen/cover/{quoted}/mbox/"] = patchwork_mbox(raw, 1000)
        cover_object = {
            "id": 1000,
            "url": f"{api}/covers/1000/",
            "web_url": f"{base_url}/project/xen/cover/{quoted}/",
            "msgid": msgid,
            "list_archive_url": f"https://lore.example.org/xen-devel/{quoted}",
            "date": DATE,
            "name": subject,
            "mbox": f"{base_url}/project/xen/cover/{quoted}/mbox/",
        }

    def series(series_id, received, cover_letter, patch_list, name):
        return {
            "id": series_id,
            "url": f"{api}/series/{series_id}/",
            "web_url": f"{base_url}/project/xen/list/?series={series_id}",
            "project": project,
            "name": name,
            "date": DATE,
            "submitter": submitter,
            "version": 1,
            "total": 6,
            "received_total": len(patch_list),
            "received_all": received,
            "mbox": f"{base_url}/series/{series_id}/mbox/",
            "cover_letter": cover_letter,
            "patches": patch_list,
        }

    pages = {
        "1": [series(41, False, None, patch_objects[:2], "half a series")],
        "2": [series(42, True, cover_object, patch_objects, "xen: rework the Xen options")],
    }
    return pages, files


def main():
    separator = sys.argv.index("--")
    options, command = sys.argv[1:separator], sys.argv[separator + 1:]
    patch_dir = options[0]
    with_cover = "--no-cover" not in options
    requests, posts = [], []
    state = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, headers=()):
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            requests.append({"method": "GET", "path": url.path, "query": query})
            if url.path == "/api/1.2/series/":
                page = query.get("page", ["1"])[0]
                headers = [("Content-Type", "application/json")]
                if page == "1":
                    rest = urllib.parse.urlencode({**{k: v[0] for k, v in query.items()}, "page": 2})
                    headers.append(("Link", f'<{state["base"]}/api/1.2/series/?{rest}>; rel="next"'))
                self.reply(200, json.dumps(state["pages"].get(page, [])).encode(), headers)
            elif url.path in state["files"]:
                self.reply(200, state["files"][url.path], [("Content-Type", "text/plain")])
            else:
                self.reply(404, b'{"detail": "Not found."}', [("Content-Type", "application/json")])

        def do_POST(self):
            url = urllib.parse.urlparse(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            requests.append({"method": "POST", "path": url.path, "query": {}})
            posts.append({
                "path": url.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "body": json.loads(body),
            })
            created = dict(json.loads(body), id=len(posts), date=DATE, target_url=None)
            self.reply(201, json.dumps(created).encode(), [("Content-Type", "application/json")])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    state["base"] = base
    state["pages"], state["files"] = build(patch_dir, base, with_cover)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        done = subprocess.run([part.replace("{url}", f"{base}/api/1.2") for part in command],
                              capture_output=True, timeout=600)
    finally:
        server.shutdown()
    json.dump({
        "returncode": done.returncode,
        "stdout": done.stdout.decode(errors="replace"),
        "stderr": done.stderr.decode(errors="replace"),
        "requests": requests,
        "posts": posts,
    }, sys.stdout, indent=2)


if __name__ == "__main__":
    main()
