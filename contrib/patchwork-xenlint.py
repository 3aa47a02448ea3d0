#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Lint the new series of a patchwork project with xenlint and post a check per patch.

For every series of PROJECT dated at or after SINCE that patchwork has received in full,
download its mbox (with the cover letter, which carries the base-commit: trailer), run
`xenlint mbox - --format patchwork` on it against a local clone, map each Message-ID to
patchwork's patch id and POST the check to /patches/{id}/checks/ (API 1.2 or later).

    PATCHWORK_TOKEN=... contrib/patchwork-xenlint.py \\
        --url https://patchwork.example.org/api/1.2 --project xen \\
        --since 2026-06-01T00:00:00 --repo ~/linux --arch x86,arm64

Nothing from a series is ever run: the mbox goes to xenlint's standard input and xenlint
applies it in memory. The token (PATCHWORK_TOKEN) is sent only with the POSTs.
--dry-run prints the checks without posting them and needs no token.

Exit status: 0 when every complete series was linted and its checks posted (or printed),
whatever the verdicts; 1 when some series could not be handled (download, xenlint or POST
failed); 2 for bad arguments. A series xenlint cannot place or apply (its exit status 3,
"not tested") gets no check and is reported on standard error, as are incomplete series.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

USER_AGENT = "patchwork-xenlint"
TIMEOUT = 60
NOT_TESTED = 3


class PollError(Exception):
    """A series that could not be handled; the others still are."""


def http(url, data=None, token=None):
    """GET (or POST `data` as JSON) and return (body bytes, headers)."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = "Token " + token
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.read(), response.headers
    except urllib.error.HTTPError as err:
        detail = err.read(500).decode(errors="replace").strip()
        raise PollError(f"{'POST' if data is not None else 'GET'} {url}: HTTP {err.code} {detail}")
    except (urllib.error.URLError, OSError) as err:
        raise PollError(f"{url}: {err}")


def next_link(headers):
    """The rel="next" URL of a Link header (RFC 5988), as patchwork paginates lists."""
    for part in (headers.get("Link") or "").split(","):
        match = re.match(r'\s*<([^>]*)>\s*;\s*rel="?next"?', part)
        if match:
            return match.group(1)
    return None


def list_series(api, project, since):
    query = urllib.parse.urlencode({"project": project, "since": since})
    url = f"{api}/series/?{query}"
    while url:
        body, headers = http(url)
        page = json.loads(body)
        if not isinstance(page, list):
            raise PollError(f"{url}: expected a JSON array of series")
        yield from page
        url = next_link(headers)


def series_mbox(series):
    """The cover letter (when there is one) followed by the patches: patchwork's series mbox
    holds the patches only, and the base-commit: trailer is usually in the cover letter."""
    parts = []
    cover = series.get("cover_letter")
    if cover and cover.get("mbox"):
        parts.append(http(cover["mbox"])[0])
    parts.append(http(series["mbox"])[0])
    return b"\n".join(part if part.endswith(b"\n") else part + b"\n" for part in parts)


def bare_msgid(msgid):
    """Patchwork keeps the angle brackets of a Message-ID; xenlint does not."""
    msgid = msgid.strip()
    if msgid.startswith("<") and msgid.endswith(">"):
        return msgid[1:-1]
    return msgid


def run_xenlint(args, mbox):
    command = [args.xenlint, "mbox", "-", "--format", "patchwork", "--repo", args.repo]
    for arch in args.arch:
        command += ["--arch", arch]
    if args.guess_base:
        command.append("--guess-base")
    try:
        done = subprocess.run(command, input=mbox, capture_output=True, timeout=args.timeout)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PollError(f"{args.xenlint}: {err}")
    stderr = done.stderr.decode(errors="replace").strip()
    if done.returncode == NOT_TESTED:
        return None, stderr
    if done.returncode not in (0, 1):
        raise PollError(f"xenlint exit status {done.returncode}: {stderr}")
    try:
        return json.loads(done.stdout), stderr
    except ValueError as err:
        raise PollError(f"xenlint printed no JSON: {err}")


def handle(args, token, series):
    """Lint one series and post its checks; returns the number of checks posted."""
    name = f"series {series['id']} ({series.get('name') or 'no name'})"
    if not series.get("received_all"):
        print(f"{name}: incomplete, skipped", file=sys.stderr)
        return 0
    patch_ids = {bare_msgid(p["msgid"]): p["id"] for p in series.get("patches", [])}
    checks, stderr = run_xenlint(args, series_mbox(series))
    if checks is None:
        print(f"{name}: {stderr or 'not tested'}", file=sys.stderr)
        return 0
    posted = 0
    for entry in checks:
        patch_id = patch_ids.get(entry.get("message_id") or "")
        if patch_id is None:
            raise PollError(f"{name}: patch {entry.get('patch')} has no Message-ID patchwork knows")
        url = f"{args.url}/patches/{patch_id}/checks/"
        if not args.dry_run:
            http(url, data=entry["check"], token=token)
        print(f"POST {url} {json.dumps(entry['check'], sort_keys=True)}", flush=True)
        posted += 1
    return posted


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Post xenlint's verdict on every patch of a project's new series as "
        "patchwork checks (context \"xenlint\").",
        epilog="PATCHWORK_TOKEN holds the API token (not needed with --dry-run).",
    )
    parser.add_argument("--url", required=True,
                        help="patchwork's versioned API, e.g. https://patchwork.example.org/api/1.2")
    parser.add_argument("--project", required=True, help="project link name or id")
    parser.add_argument("--since", required=True,
                        help="ISO 8601 date-time: series dated at or after it (patchwork's since=)")
    parser.add_argument("--repo", default=".", help="the repository holding the bases (xenlint --repo)")
    parser.add_argument("--arch", action="append", default=[],
                        help="passed to xenlint --arch (repeatable, or a comma list)")
    parser.add_argument("--guess-base", action="store_true",
                        help="passed to xenlint: guess the base of series without a base-commit: trailer")
    parser.add_argument("--xenlint", default="xenlint", help="the xenlint binary (default: on PATH)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per series (default 3600)")
    parser.add_argument("--dry-run", action="store_true", help="print the checks, post nothing")
    args = parser.parse_args(argv)
    args.url = args.url.rstrip("/")
    return args


def main(argv=None):
    args = parse_args(argv)
    token = os.environ.get("PATCHWORK_TOKEN")
    if not args.dry_run and not token:
        print("patchwork-xenlint: PATCHWORK_TOKEN is not set (or use --dry-run)", file=sys.stderr)
        return 2
    failed = 0
    seen = 0
    posted = 0
    try:
        for series in list_series(args.url, args.project, args.since):
            seen += 1
            try:
                posted += handle(args, token, series)
            except PollError as err:
                failed += 1
                print(f"series {series.get('id')}: {err}", file=sys.stderr)
    except PollError as err:
        print(f"patchwork-xenlint: {err}", file=sys.stderr)
        return 1
    verb = "would post" if args.dry_run else "posted"
    print(f"patchwork-xenlint: {seen} series, {posted} checks {verb}, {failed} failed",
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
