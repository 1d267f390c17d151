"""A stand-in for the GitHub REST API (no GitHub here): the endpoints the pipeline calls, with GitHub's shapes
(issue comments with ``user.login``, pulls of a commit, compare, issues with labels, ``Link`` pagination) over
in-memory state the scenarios set up: pull requests, their merge commits and labels. Comments written with a
workflow token are authored by ``github-actions[bot]``, as GitHub does; a scenario can write as a person."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

WORKFLOW_TOKEN = "ghs_harness_workflow_token"
BOT = "github-actions[bot]"
PAGE = 30


@dataclass
class PullRequest:
    repository: str
    number: int
    head_sha: str
    head_ref: str
    author: str
    labels: list[str] = field(default_factory=list)
    state: str = "open"
    merged_at: str | None = None
    merge_commit_sha: str | None = None

    def as_json(self) -> dict:
        return {"number": self.number, "state": self.state, "merged_at": self.merged_at, "merge_commit_sha": self.merge_commit_sha,
                "head": {"sha": self.head_sha, "ref": self.head_ref}, "user": {"login": self.author},
                "labels": [{"name": n} for n in self.labels]}


@dataclass
class GitHubState:
    repositories: dict[str, Path] = field(default_factory=dict)
    """owner/name -> bare git repository (for compare)."""
    pulls: dict[tuple[str, int], PullRequest] = field(default_factory=dict)
    comments: list[dict] = field(default_factory=list)
    issues: dict[str, list[dict]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    next_id: int = 1000

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def comment(self, repository: str, number: int, body: str, author: str) -> dict:
        item = {"id": self.new_id(), "repository": repository, "issue": number, "body": body, "user": {"login": author}}
        self.comments.append(item)
        return item

    def comments_on(self, repository: str, number: int) -> list[dict]:
        return [c for c in self.comments if c["repository"] == repository and c["issue"] == number]


class _Handler(BaseHTTPRequestHandler):
    state: GitHubState

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _page(self, items: list, query: dict) -> None:
        size = int(query.get("per_page", [PAGE])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * size: page * size]
        headers = {}
        if page * size < len(items):
            parsed = urlparse(self.path)
            rest = {k: v[0] for k, v in query.items() if k != "page"}
            link = "&".join([*(f"{k}={v}" for k, v in rest.items()), f"page={page + 1}"])
            headers["Link"] = f'<http://{self.headers["Host"]}{parsed.path}?{link}>; rel="next"'
        self._send(200, chunk, headers)

    def _author(self) -> str | None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return BOT if token == WORKFLOW_TOKEN else None

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(length)) if length else {}

    def _route(self, method: str) -> None:
        state = self.state
        parsed = urlparse(self.path)
        query = parse_qs(parsed.query)
        state.calls.append(f"{method} {parsed.path}")
        if self._author() is None:
            return self._send(401, {"message": "Bad credentials"})
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/(.*)", parsed.path)
        if not match:
            return self._send(404, {"message": "Not Found"})
        repository, rest = match.groups()
        if repository not in state.repositories:
            return self._send(404, {"message": "Not Found"})
        if m := re.fullmatch(r"issues/(\d+)/comments", rest):
            number = int(m.group(1))
            if method == "GET":
                return self._page(state.comments_on(repository, number), query)
            return self._send(201, state.comment(repository, number, self._body()["body"], self._author() or ""))
        if m := re.fullmatch(r"issues/comments/(\d+)", rest):
            comment = next((c for c in state.comments if c["id"] == int(m.group(1))), None)
            if comment is None:
                return self._send(404, {"message": "Not Found"})
            comment["body"] = self._body()["body"]
            return self._send(200, comment)
        if m := re.fullmatch(r"commits/([0-9a-f]+)/pulls", rest):
            sha = m.group(1)
            found = [p.as_json() for p in state.pulls.values() if p.repository == repository
                     and sha in (p.merge_commit_sha, p.head_sha)]
            return self._page(found, query)
        if m := re.fullmatch(r"compare/([0-9a-f]+)\.\.\.([0-9a-f]+)", rest):
            listed = subprocess.run(["git", "--git-dir", str(state.repositories[repository]), "rev-list", "--reverse",
                                     f"{m.group(1)}..{m.group(2)}"], capture_output=True, text=True)
            if listed.returncode != 0:
                return self._send(404, {"message": "Not Found"})
            return self._send(200, {"commits": [{"sha": s} for s in listed.stdout.split()][:250]})
        if m := re.fullmatch(r"pulls/(\d+)", rest):
            pull = state.pulls.get((repository, int(m.group(1))))
            return self._send(200, pull.as_json()) if pull else self._send(404, {"message": "Not Found"})
        if rest == "issues":
            issues = state.issues.setdefault(repository, [])
            if method == "POST":
                body = self._body()
                issue = {"number": state.new_id(), "title": body["title"], "body": body.get("body", ""), "state": "open",
                         "labels": [{"name": n} for n in body.get("labels", [])]}
                issues.append(issue)
                return self._send(201, issue)
            wanted_state = query.get("state", ["open"])[0]
            labels = set(query.get("labels", [""])[0].split(",")) - {""}
            found = [i for i in issues if (wanted_state == "all" or i["state"] == wanted_state)
                     and labels <= {label["name"] for label in i["labels"]}]
            return self._page(found, query)
        if m := re.fullmatch(r"issues/(\d+)", rest):
            issue = next((i for i in state.issues.get(repository, []) if i["number"] == int(m.group(1))), None)
            if issue is None:
                return self._send(404, {"message": "Not Found"})
            issue.update({k: v for k, v in self._body().items() if k in ("body", "state", "title")})
            return self._send(200, issue)
        return self._send(404, {"message": f"the harness does not serve {method} {parsed.path}"})

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PATCH(self) -> None:  # noqa: N802
        self._route("PATCH")


class FakeGitHub:
    def __init__(self, state: GitHubState):
        handler = type("Handler", (_Handler,), {"state": state})
        self.state = state
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
