#!/usr/bin/env python3
"""A test double of kube-apiserver for Rudder's tests (Python 3.11 standard library only).

It serves LIST, GET and WATCH for Services, EndpointSlices, Nodes and Pods the way the real API
server does where clients depend on it (resourceVersions, continue tokens, chunked watch streams,
bookmarks, 410 Expired, selectors, TLS, bearer tokens and client certificates). Tests change its
state and inject faults through JSON commands on stdin; see docs/test-api-server.md.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import collections
import json
import os
import re
import select
import socket
import ssl
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


def dumps(value) -> str:
    """Compact JSON, UTF-8 characters kept as they are (like the real server)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Resources


class Resource:
    """One kind the server knows: its group/version, plural, scope and supported field labels."""

    def __init__(self, kind, api_version, plural, namespaced, extra_fields=()):
        self.kind = kind
        self.api_version = api_version
        self.plural = plural
        self.namespaced = namespaced
        self.group = api_version.rpartition("/")[0]
        self.fields = {"metadata.name"} | set(extra_fields)
        if namespaced:
            self.fields.add("metadata.namespace")
        self.prefix = "/api/" + api_version if api_version == "v1" else "/apis/" + api_version
        self.list_head = ('{"kind":%s,"apiVersion":%s,"metadata":{' % (dumps(kind + "List"), dumps(api_version))).encode()
        self.full_head = ('{"kind":%s,"apiVersion":%s,' % (dumps(kind), dumps(api_version))).encode()
        self.bookmark_head = ('{"type":"BOOKMARK","object":{"kind":%s,"apiVersion":%s,"metadata":{"resourceVersion":'
                              % (dumps(kind), dumps(api_version))).encode()


RESOURCES = [
    Resource("Service", "v1", "services", True),
    Resource("EndpointSlice", "discovery.k8s.io/v1", "endpointslices", True),
    Resource("Node", "v1", "nodes", False, ("spec.unschedulable",)),
    Resource("Pod", "v1", "pods", True, (
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName")),
]
BY_KIND = {r.kind: r for r in RESOURCES}
BY_PATH = {(r.prefix, r.plural): r for r in RESOURCES}


class Entry:
    """One stored version of an object. Never mutated once built; its JSON is cached."""

    __slots__ = ("resource", "obj", "key", "namespace", "name", "full", "_item", "rv")

    def __init__(self, resource, obj, full=None):
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict):
            metadata = {}
        self.resource = resource
        self.obj = obj
        self.name = str(metadata.get("name", ""))
        self.namespace = str(metadata.get("namespace", "")) if resource.namespaced else ""
        self.key = self.namespace + "/" + self.name if resource.namespaced else self.name
        self.full = full if full is not None else dumps(obj).encode()
        try:
            self.rv = int(metadata.get("resourceVersion", 0))
        except (TypeError, ValueError):
            self.rv = 0
        self._item = None

    def item(self) -> bytes:
        """The object as a list item: without kind and apiVersion, like the real server's lists."""
        item = self._item
        if item is None:
            head = self.resource.full_head
            obj = self.obj
            keys = iter(obj)
            if (self.full.startswith(head) and next(keys, None) == "kind" and next(keys, None) == "apiVersion"
                    and obj.get("kind") == self.resource.kind and obj.get("apiVersion") == self.resource.api_version):
                item = b"{" + self.full[len(head):]
            else:
                item = dumps({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}).encode()
            self._item = item
        return item

    def labels(self) -> dict:
        labels = (self.obj.get("metadata") or {}).get("labels")
        return labels if isinstance(labels, dict) else {}

    def with_resource_version(self, rv) -> bytes:
        obj = dict(self.obj)
        metadata = dict(obj.get("metadata") or {})
        metadata["resourceVersion"] = str(rv)
        obj["metadata"] = metadata
        return dumps(obj).encode()


class Event:
    """One change: the object after it (for DELETED, the last state stamped with the deletion's
    resourceVersion) and the object before it (None for ADDED)."""

    __slots__ = ("rv", "type", "resource", "entry", "prev")

    def __init__(self, rv, type_, resource, entry, prev):
        self.rv = rv
        self.type = type_
        self.resource = resource
        self.entry = entry
        self.prev = prev


# ---------------------------------------------------------------------------------------------
# Selectors


class BadRequest(Exception):
    """A request the real server answers with 400 BadRequest."""


def split_unescaped(text, separator):
    """Splits on `separator` where it is not escaped with a backslash; keeps the escapes."""
    parts, current, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if c == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    parts.append("".join(current))
    return parts


def unescape_field_value(value):
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_field_selector(text, resource):
    """[(field, op, value)] with op '=' or '!='; 400 for a term it cannot read or an unknown field."""
    requirements = []
    if not text.strip():
        return requirements
    for term in split_unescaped(text, ","):
        match = None
        for op in ("!=", "==", "="):
            index = find_unescaped(term, op)
            if index >= 0:
                match = (term[:index].strip(), "!=" if op == "!=" else "=", unescape_field_value(term[index + len(op):]))
                break
        if match is None or not match[0]:
            raise BadRequest("invalid selector: '%s'; can't understand '%s'" % (text, term))
        if match[0] not in resource.fields:
            raise BadRequest("field label not supported: %s" % match[0])
        requirements.append(match)
    return requirements


def find_unescaped(text, needle):
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


LABEL_TOKEN = r"[^\s!=<>(),]+"
RE_SET = re.compile(r"\s*(%s)\s+(in|notin)\s*\(([^()]*)\)\s*" % LABEL_TOKEN)
RE_NOT_EXISTS = re.compile(r"\s*!\s*(%s)\s*" % LABEL_TOKEN)
RE_COMPARE = re.compile(r"\s*(%s)\s*(==|=|!=|>|<)\s*([^\s!=<>(),]*)\s*" % LABEL_TOKEN)
RE_EXISTS = re.compile(r"\s*(%s)\s*" % LABEL_TOKEN)


def parse_label_selector(text):
    """[(key, op, values)] for the label selector syntax of the API (=, ==, !=, in, notin, exists, !)."""
    requirements = []
    if not text.strip():
        return requirements
    parts, depth, current = [], 0, []
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
    parts.append("".join(current))
    for part in parts:
        m = RE_SET.fullmatch(part)
        if m:
            values = {v.strip() for v in m.group(3).split(",") if v.strip()}
            requirements.append((m.group(1), m.group(2), values))
            continue
        m = RE_NOT_EXISTS.fullmatch(part)
        if m:
            requirements.append((m.group(1), "!", None))
            continue
        m = RE_COMPARE.fullmatch(part)
        if m:
            op = "=" if m.group(2) == "==" else m.group(2)
            if op in (">", "<"):
                try:
                    value = int(m.group(3))
                except ValueError:
                    raise BadRequest("unable to parse requirement: for 'gt', 'lt' operators, "
                                     "the value must be an integer: %s" % part.strip()) from None
                requirements.append((m.group(1), op, value))
            else:
                requirements.append((m.group(1), op, m.group(3)))
            continue
        m = RE_EXISTS.fullmatch(part)
        if m:
            requirements.append((m.group(1), "exists", None))
            continue
        raise BadRequest("unable to parse requirement: found '%s', expected: identifier" % part.strip())
    return requirements


def field_value(obj, path):
    current = obj
    for part in path.split("."):
        if not isinstance(current, dict):
            return ""
        current = current.get(part)
    if current is None:
        return ""
    if isinstance(current, bool):
        return "true" if current else "false"
    return str(current)


class Selector:
    """What a LIST or WATCH asks for: a namespace (from the path), label and field requirements."""

    def __init__(self, resource, namespace, label_text, field_text, name=None):
        self.resource = resource
        self.namespace = namespace
        self.labels = parse_label_selector(label_text)
        self.fields = parse_field_selector(field_text, resource)
        if name is not None:
            self.fields.append(("metadata.name", "=", name))
        self.filters = bool(self.labels or self.fields)

    def matches(self, entry) -> bool:
        if self.namespace is not None and entry.namespace != self.namespace:
            return False
        if self.labels:
            labels = entry.labels()
            for key, op, value in self.labels:
                present = key in labels
                actual = labels.get(key)
                if op == "=":
                    ok = present and str(actual) == value
                elif op == "!=":
                    ok = not present or str(actual) != value
                elif op == "in":
                    ok = present and str(actual) in value
                elif op == "notin":
                    ok = not present or str(actual) not in value
                elif op == "exists":
                    ok = present
                elif op == "!":
                    ok = not present
                else:
                    try:
                        number = int(str(actual))
                    except ValueError:
                        ok = False
                    else:
                        ok = present and (number > value if op == ">" else number < value)
                if not ok:
                    return False
        for path, op, value in self.fields:
            if path == "metadata.name":
                actual = entry.name
            elif path == "metadata.namespace":
                actual = entry.namespace
            else:
                actual = field_value(entry.obj, path)
            if (actual == value) != (op == "="):
                return False
        return True


# ---------------------------------------------------------------------------------------------
# The store


class ControlError(Exception):
    """A control command that cannot be carried out."""


class Watcher:
    """One open watch stream: events are queued here under the store lock and written by the
    request's own thread."""

    def __init__(self, store, selector, min_rv, connection):
        self.selector = selector
        self.resource = selector.resource
        self.queue = []
        self.cond = threading.Condition(store.lock)
        self.dropped = False
        self.min_rv = min_rv
        self.connection = connection


class Store:
    def __init__(self, history_max):
        self.lock = threading.Lock()
        self.rv = 1
        self.history_start = 1  # every event with rv > history_start is in history
        self.history = collections.deque()
        self.history_max = max(1, history_max)
        self.objects = {r.kind: {} for r in RESOURCES}
        self.sorted_keys = {r.kind: None for r in RESOURCES}
        self.watchers = {r.kind: set() for r in RESOURCES}
        self.requests = []
        self.fail_rules = []
        self.delay_rules = []

    # -- changes (lock held) --

    def _record(self, event):
        kind = event.resource.kind
        objects = self.objects[kind]
        if event.type == "DELETED":
            del objects[event.entry.key]
            self.sorted_keys[kind] = None
        else:
            if event.prev is None:
                self.sorted_keys[kind] = None
            objects[event.entry.key] = event.entry
        self.history.append(event)
        while len(self.history) > self.history_max:
            self.history_start = self.history.popleft().rv
        for watcher in self.watchers[kind]:
            watcher.queue.append(event)
            watcher.cond.notify()

    def _put(self, obj):
        if not isinstance(obj, dict):
            raise ControlError("object must be a JSON object")
        kind = obj.get("kind")
        resource = BY_KIND.get(kind)
        if resource is None:
            raise ControlError("unknown kind %r (known: %s)" % (kind, ", ".join(BY_KIND)))
        metadata = obj.get("metadata")
        if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
            raise ControlError("metadata.name is required")
        name = metadata["name"]
        namespace = metadata.get("namespace") or "default"
        key = namespace + "/" + name if resource.namespaced else name
        prev = self.objects[kind].get(key)
        rv = self.rv + 1
        stamped = {"name": name}
        if resource.namespaced:
            stamped["namespace"] = namespace
        old_metadata = prev.obj.get("metadata") or {} if prev is not None else {}
        stamped["uid"] = metadata.get("uid") or old_metadata.get("uid") or str(uuid.uuid4())
        stamped["resourceVersion"] = str(rv)
        stamped["creationTimestamp"] = (metadata.get("creationTimestamp") or old_metadata.get("creationTimestamp")
                                        or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        for k, v in metadata.items():
            if k not in stamped and (k != "namespace" or resource.namespaced):
                stamped[k] = v
        stored = {"kind": kind, "apiVersion": obj.get("apiVersion") or resource.api_version}
        for k, v in obj.items():
            if k not in ("kind", "apiVersion", "metadata"):
                stored[k] = v
            elif k == "metadata":
                stored["metadata"] = stamped
        self.rv = rv
        event = Event(rv, "MODIFIED" if prev is not None else "ADDED", resource, Entry(resource, stored), prev)
        self._record(event)
        return event

    def put_many(self, objects):
        with self.lock:
            return [self._put(obj) for obj in objects]

    def delete(self, kind, namespace, name):
        resource = BY_KIND.get(kind)
        if resource is None:
            raise ControlError("unknown kind %r" % kind)
        key = (namespace or "default") + "/" + name if resource.namespaced else name
        with self.lock:
            prev = self.objects[kind].get(key)
            if prev is None:
                raise ControlError('%s "%s" not found' % (resource.plural, key))
            self.rv += 1
            entry = Entry(resource, json.loads(prev.with_resource_version(self.rv)))
            event = Event(self.rv, "DELETED", resource, entry, prev)
            self._record(event)
            return event

    def compact(self, drop_watches=False):
        """Forget all history. The counter moves on (the real compactor's write does the same), so a
        fresh LIST returns a resourceVersion that can be watched from while every older one is 410.

        With drop_watches, the open streams break in the same critical section, so none of them can
        send a bookmark with the new resourceVersion first: every client comes back with an old one
        and gets its 410."""
        with self.lock:
            self.rv += 1
            self.history.clear()
            self.history_start = self.rv
            if drop_watches:
                self._drop_watches_locked()

    def drop_watches(self):
        with self.lock:
            return self._drop_watches_locked()

    def _drop_watches_locked(self):
        count = 0
        for watchers in self.watchers.values():
            for watcher in watchers:
                watcher.dropped = True
                watcher.cond.notify()
                try:
                    # The plain socket's shutdown, not SSLSocket's: no close_notify, no state
                    # change the writing thread could trip on; the peer sees a broken stream.
                    socket.socket.shutdown(watcher.connection, socket.SHUT_RDWR)
                except OSError:
                    pass
                count += 1
            watchers.clear()
        return count

    # -- reads (lock held) --

    def view(self, resource, at_rv):
        """(sorted keys, lookup) for the state of `resource` at `at_rv` (None: now)."""
        kind = resource.kind
        objects = self.objects[kind]
        keys = self.sorted_keys[kind]
        if keys is None:
            keys = self.sorted_keys[kind] = sorted(objects)
        if at_rv is None or at_rv >= self.rv:
            return keys, objects.get
        overrides = {}
        for event in reversed(self.history):
            if event.rv <= at_rv:
                break
            if event.resource is resource:
                overrides[event.entry.key] = event.prev
        if not overrides:
            return keys, objects.get
        merged = sorted(set(keys).union(overrides))

        def lookup(key):
            return overrides[key] if key in overrides else objects.get(key)
        return merged, lookup

    def watcher_count(self):
        with self.lock:
            return sum(len(w) for w in self.watchers.values())


# ---------------------------------------------------------------------------------------------
# State file: a snapshot (written to a temporary file and renamed) followed by journal lines
# appended after each later command. Loading replays the journal; a torn last line is ignored.


class StateFile:
    MAGIC = "kube-apiserver-double-state"

    def __init__(self, path):
        self.path = path
        self.journal_events = 0

    def snapshot(self, store):
        with store.lock:
            ids = {}
            parts = [dumps({"format": self.MAGIC, "version": 1, "resourceVersion": store.rv,
                            "historyStart": store.history_start}).encode(), b"\n"]

            def ref(entry):
                if entry is None:
                    return "null"
                key = id(entry)
                number = ids.get(key)
                if number is None:
                    number = ids[key] = len(ids)
                    parts.append(b'{"e":%d,"o":' % number)
                    parts.append(entry.full)
                    parts.append(b"}\n")
                return str(number)

            object_ids = [ref(e) for objects in store.objects.values() for e in objects.values()]
            history = ['[%d,"%s",%s,%s]' % (ev.rv, ev.type, ref(ev.entry), ref(ev.prev)) for ev in store.history]
            parts.append(('{"objects":[%s]}\n' % ",".join(object_ids)).encode())
            parts.append(('{"history":[%s]}\n' % ",".join(history)).encode())
        data = b"".join(parts)
        temporary = self.path + ".tmp"
        with open(temporary, "wb") as f:
            f.write(data)
        os.replace(temporary, self.path)
        self.journal_events = 0

    def append(self, store, events):
        if not events:
            return
        parts = []
        for ev in events:
            parts.append(b'{"j":[%d,"%s",' % (ev.rv, ev.type.encode()))
            parts.append(ev.entry.full)
            parts.append(b"]}\n")
        with open(self.path, "ab") as f:
            f.write(b"".join(parts))
        self.journal_events += len(events)
        with store.lock:
            size = sum(len(o) for o in store.objects.values()) + len(store.history)
        if self.journal_events > 1000 + size:
            self.snapshot(store)

    def load(self, store):
        """Reads the state into `store`; True when the file needs rewriting (its last line was torn)."""
        torn = False
        with open(self.path, "rb") as f:
            lines = f.read().split(b"\n")
        header = json.loads(lines[0])
        if header.get("format") != self.MAGIC:
            raise SystemExit("%s is not a state file of this server" % self.path)
        entries = {}
        last = max((i for i, line in enumerate(lines) if line), default=0)
        with store.lock:
            store.rv = header["resourceVersion"]
            store.history_start = header["historyStart"]
            for index, line in enumerate(lines[1:], start=1):
                if not line:
                    continue
                try:
                    if line.startswith(b'{"e":'):
                        split = line.index(b',"o":')
                        full = line[split + 5:-1]
                        obj = json.loads(full)
                        entries[int(line[5:split])] = Entry(BY_KIND[obj["kind"]], obj, full)
                    elif line.startswith(b'{"objects":'):
                        for number in json.loads(line)["objects"]:
                            entry = entries[number]
                            store.objects[entry.resource.kind][entry.key] = entry
                    elif line.startswith(b'{"history":'):
                        for rv, type_, e, p in json.loads(line)["history"]:
                            entry = entries[e]
                            store.history.append(Event(rv, type_, entry.resource, entry,
                                                       entries[p] if p is not None else None))
                    elif line.startswith(b'{"j":'):
                        rv, type_, obj = json.loads(line)["j"]
                        entry = Entry(BY_KIND[obj["kind"]], obj)
                        prev = store.objects[entry.resource.kind].get(entry.key)
                        store.rv = rv
                        store._record(Event(rv, type_, entry.resource, entry, prev))
                    else:
                        raise ValueError("unknown line")
                except (ValueError, KeyError) as error:
                    if index == last:
                        print("ignoring torn last line of %s: %s" % (self.path, error), file=sys.stderr)
                        torn = True
                        break
                    raise
                if line.startswith(b'{"j":'):
                    self.journal_events += 1
            while len(store.history) > store.history_max:
                store.history_start = store.history.popleft().rv
            for kind in store.sorted_keys:
                store.sorted_keys[kind] = None
        return torn


# ---------------------------------------------------------------------------------------------
# HTTP


REASONS = {
    400: ("BadRequest", "the server rejected our request for an unknown reason"),
    401: ("Unauthorized", "Unauthorized"),
    403: ("Forbidden", "forbidden"),
    404: ("NotFound", "the server could not find the requested resource"),
    405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
    409: ("Conflict", "the object has been modified; please apply your changes to the latest version and try again"),
    410: ("Expired", "the resource version is too old"),
    429: ("TooManyRequests", "Too many requests, please try again later."),
    500: ("InternalError", "Internal error occurred: injected failure"),
    502: ("", "Bad Gateway"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: ("Timeout", "Timeout: request did not complete within the allotted timeout"),
}

INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new "
    "list without the continue parameter, or use the continue token in this response to retrieve the "
    "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was returned and now may show "
    "up in the list.")

VERSION = {
    "major": "1", "minor": "30", "gitVersion": "v1.30.0",
    "gitCommit": "7c48c2bd72b9bf5c44d21d7338cc7bea77d0ad2a", "gitTreeState": "clean",
    "buildDate": "2024-04-17T17:27:03Z", "goVersion": "go1.22.2", "compiler": "gc", "platform": "linux/amd64",
}

PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")


def status_body(code, reason=None, message=None, details=None, metadata=None) -> bytes:
    default_reason, default_message = REASONS.get(code, ("", "error"))
    body = {"kind": "Status", "apiVersion": "v1", "metadata": metadata or {}, "status": "Failure",
            "message": message if message is not None else default_message}
    reason = reason if reason is not None else default_reason
    if reason:
        body["reason"] = reason
    if details:
        body["details"] = details
    body["code"] = code
    return dumps(body).encode()


class StatusError(Exception):
    def __init__(self, code, message=None, reason=None, details=None, metadata=None):
        super().__init__(message)
        self.code = code
        self.body = status_body(code, reason, message, details, metadata)


def encode_continue(rv, start_key):
    data = dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start_key + "\x00"}).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def decode_continue(token):
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(data)
        if value.get("v") != "meta.k8s.io/v1" or not isinstance(value.get("rv"), int):
            raise ValueError("bad version")
        start = value["start"]
        if not isinstance(start, str) or not start:
            raise ValueError("no start key")
        return value["rv"], start
    except (ValueError, KeyError, AttributeError, TypeError) as error:
        raise StatusError(400, "continue key is not valid: %s" % error, "BadRequest") from None


class WatchAborted(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-apiserver-double"
    sys_version = ""
    disable_nagle_algorithm = True

    # -- connection --

    def setup(self):
        context = self.server.ssl_context
        if context is not None:
            self.request.settimeout(10)
            self.request = context.wrap_socket(self.request, server_side=True)
            self.request.settimeout(None)
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if self.server.ssl_context is not None:
                try:
                    self.request.close()
                except OSError:
                    pass

    def log_message(self, format, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    # -- requests --

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def dispatch(self):
        store = self.server.store
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        self.record = {"method": self.command, "path": path, "query": query, "user": "anonymous", "status": 0}
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        target = path + ("?" + split.query if split.query else "")
        delay = fail = None
        with store.lock:
            for rule in store.delay_rules:
                if rule["count"] > 0 and rule["path"] in target:
                    rule["count"] -= 1
                    delay = rule["seconds"]
                    break
            for rule in store.fail_rules:
                if rule["count"] > 0 and rule["path"] in target:
                    rule["count"] -= 1
                    fail = rule
                    break
            store.delay_rules = [r for r in store.delay_rules if r["count"] > 0]
            store.fail_rules = [r for r in store.fail_rules if r["count"] > 0]
        if delay:
            time.sleep(delay)
        user = self.authenticate()
        if user is not None:
            self.record["user"] = user
        try:
            if fail is not None:
                raise StatusError(fail["status"], fail.get("message"), fail.get("reason"))
            if path in PUBLIC_PATHS:
                self.serve_public(path)
                return
            if user is None:
                raise StatusError(401)
            if self.command != "GET":
                raise StatusError(405)
            self.route(path, query)
        except StatusError as error:
            self.send_body(error.code, error.body, extra_headers=fail_headers(fail) if fail is not None else ())
        except WatchAborted:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def authenticate(self):
        """'cert:CN', 'token:abcdef', 'anonymous' when no authentication is configured, None to refuse."""
        config = self.server
        if config.client_ca and isinstance(self.connection, ssl.SSLSocket):
            certificate = self.connection.getpeercert()
            if certificate:
                for rdn in certificate.get("subject", ()):
                    for name, value in rdn:
                        if name == "commonName":
                            return "cert:" + value
                return "cert:"
        if config.token_file:
            header = self.headers.get("Authorization", "")
            if header[:7].lower() == "bearer ":
                token = header[7:].strip()
                if token and token in read_tokens(config.token_file):
                    return "token:" + token[:6]
        if not config.token_file and not config.client_ca:
            return "anonymous"
        return None

    def serve_public(self, path):
        if path == "/version":
            self.send_body(200, dumps(VERSION).encode())
        else:
            self.send_body(200, b"ok", content_type="text/plain; charset=utf-8")

    def route(self, path, query):
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api":
            prefix, rest = "/api/" + parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            prefix, rest = "/apis/" + parts[1] + "/" + parts[2], parts[3:]
        else:
            raise StatusError(404, details={})
        namespace = name = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 2:
            raise StatusError(404)
        resource = BY_PATH.get((prefix, rest[0]))
        if resource is None or (namespace is not None and not resource.namespaced):
            raise StatusError(404)
        if len(rest) == 2:
            name = rest[1]
        watch = query.get("watch", "").lower() in ("1", "true")
        if name is not None and not watch:
            self.get_object(resource, namespace, name)
            return
        try:
            selector = Selector(resource, namespace, query.get("labelSelector", ""), query.get("fieldSelector", ""),
                                name)
        except BadRequest as error:
            raise StatusError(400, str(error), "BadRequest") from None
        if watch:
            self.watch(selector, query)
        else:
            self.list(selector, query)

    def get_object(self, resource, namespace, name):
        store = self.server.store
        key = (namespace or "") + "/" + name if resource.namespaced else name
        with store.lock:
            entry = store.objects[resource.kind].get(key)
        if entry is None:
            details = {"name": name, "kind": resource.plural}
            if resource.group:
                details = {"name": name, "group": resource.group, "kind": resource.plural}
            qualified = resource.plural + ("." + resource.group if resource.group else "")
            raise StatusError(404, '%s "%s" not found' % (qualified, name), details=details)
        self.send_body(200, entry.full)

    # -- LIST --

    def list(self, selector, query):
        store = self.server.store
        resource = selector.resource
        limit = 0
        if query.get("limit"):
            try:
                limit = int(query["limit"])
            except ValueError:
                raise StatusError(400, "limit: Invalid value: %r" % query["limit"], "BadRequest") from None
            if limit > 0 and self.server.page_size_max:
                limit = min(limit, self.server.page_size_max)
        limit = max(limit, 0)
        token = query.get("continue", "")
        requested_rv = query.get("resourceVersion", "")
        match = query.get("resourceVersionMatch", "")
        start_key = ""
        at_rv = None
        if token:
            at_rv, start_key = decode_continue(token)
        elif requested_rv not in ("", "0"):
            try:
                wanted = int(requested_rv)
            except ValueError:
                raise StatusError(400, 'resourceVersion: Invalid value: "%s": must be an integer' % requested_rv,
                                  "BadRequest") from None
            if match == "Exact" or (match == "" and limit):
                at_rv = wanted
        with store.lock:
            if at_rv is not None and at_rv != -1 and at_rv < store.history_start:
                if token:
                    fresh = encode_continue(-1, start_key[:-1] if start_key.endswith("\x00") else start_key)
                    raise StatusError(410, INCONSISTENT_CONTINUE, "Expired", metadata={"continue": fresh})
                raise StatusError(410, "The resourceVersion for the provided list is too old.", "Expired")
            if at_rv == -1 or at_rv is None or at_rv > store.rv:
                at_rv = store.rv
            keys, lookup = store.view(resource, at_rv)
            lo, hi = 0, len(keys)
            if selector.namespace is not None:
                lo = bisect.bisect_left(keys, selector.namespace + "/")
                hi = bisect.bisect_left(keys, selector.namespace + "0")
            index = max(lo, bisect.bisect_left(keys, start_key)) if start_key else lo
            items = []
            while index < hi:
                entry = lookup(keys[index])
                index += 1
                if entry is None or not selector.matches(entry):
                    continue
                items.append(entry)
                if limit and len(items) >= limit:
                    break
            remaining = 0
            if index < hi:
                if lookup is store.objects[resource.kind].get:
                    remaining = hi - index
                else:
                    remaining = sum(1 for k in keys[index:hi] if lookup(k) is not None)
            last_key = keys[index - 1] if remaining else ""
        metadata = b'"resourceVersion":"%d"' % at_rv
        if remaining:
            metadata += b',"continue":"' + encode_continue(at_rv, last_key).encode() + b'"'
            if not selector.filters:
                metadata += b',"remainingItemCount":%d' % remaining
        body = b"".join((resource.list_head, metadata, b'},"items":[', b",".join(e.item() for e in items), b"]}"))
        self.send_body(200, body)

    # -- WATCH --

    def watch(self, selector, query):
        store = self.server.store
        resource = selector.resource
        requested = query.get("resourceVersion", "")
        bookmarks = query.get("allowWatchBookmarks", "").lower() in ("1", "true")
        initial_events = query.get("sendInitialEvents", "").lower() in ("1", "true")
        deadline = None
        if query.get("timeoutSeconds"):
            try:
                deadline = time.monotonic() + float(query["timeoutSeconds"])
            except ValueError:
                raise StatusError(400, "timeoutSeconds: Invalid value", "BadRequest") from None
        since = None
        if requested not in ("", "0"):
            try:
                since = int(requested)
            except ValueError:
                raise StatusError(400, 'resourceVersion: Invalid value: "%s": must be an integer' % requested,
                                  "BadRequest") from None
        expired = None
        replay = []
        with store.lock:
            current = store.rv
            if since is not None and not initial_events and since < store.history_start:
                expired = status_body(410, "Expired", "too old resource version: %d (%d)" % (since, store.history_start))
                watcher = None
            else:
                if since is None or initial_events:
                    keys, lookup = store.view(resource, None)
                    replay = [("ADDED", lookup(k)) for k in keys]
                    min_rv = current
                else:
                    events = []
                    for event in reversed(store.history):
                        if event.rv <= since:
                            break
                        if event.resource is resource:
                            events.append(event)
                    events.reverse()
                    replay = events
                    min_rv = since
                watcher = Watcher(store, selector, min_rv, self.connection)
                store.watchers[resource.kind].add(watcher)
        self.record["status"] = 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.remember()
        if expired is not None:
            self.write_chunks([b'{"type":"ERROR","object":' + expired + b"}\n"])
            self.wfile.write(b"0\r\n\r\n")
            return
        try:
            self.stream(watcher, selector, replay, bookmarks, initial_events, current, deadline)
        finally:
            with store.lock:
                store.watchers[resource.kind].discard(watcher)

    def stream(self, watcher, selector, replay, bookmarks, initial_events, current, deadline):
        store = self.server.store
        resource = selector.resource
        out = []
        if replay and isinstance(replay[0], tuple):
            for _, entry in replay:
                if selector.matches(entry):
                    out.append(b'{"type":"ADDED","object":' + entry.full + b"}\n")
        else:
            for event in replay:
                line = convert(event, selector)
                if line is not None:
                    out.append(line)
        if initial_events:
            out.append(resource.bookmark_head + b'"%d","annotations":{"k8s.io/initial-events-end":"true"}}}}\n'
                       % current)
        if out:
            self.write_chunks(out)
        interval = self.server.bookmark_interval
        next_bookmark = time.monotonic() + interval if bookmarks else None
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLRDHUP | select.POLLHUP | select.POLLERR)
        while True:
            with store.lock:
                if not watcher.queue and not watcher.dropped:
                    now = time.monotonic()
                    wait = 0.25
                    if deadline is not None:
                        wait = min(wait, deadline - now)
                    if next_bookmark is not None:
                        wait = min(wait, next_bookmark - now)
                    if wait > 0:
                        watcher.cond.wait(wait)
                events, watcher.queue = watcher.queue, []
                now_rv = store.rv
                dropped = watcher.dropped
            if dropped:
                raise WatchAborted()
            if poller.poll(0):
                raise WatchAborted()
            out = []
            for event in events:
                if event.rv <= watcher.min_rv:
                    continue
                line = convert(event, selector)
                if line is not None:
                    out.append(line)
            now = time.monotonic()
            if next_bookmark is not None and now >= next_bookmark:
                out.append(resource.bookmark_head + b'"%d"}}}\n' % max(now_rv, watcher.min_rv))
                next_bookmark = now + interval
            if out:
                self.write_chunks(out)
            if deadline is not None and now >= deadline:
                self.wfile.write(b"0\r\n\r\n")
                return

    def write_chunks(self, lines):
        buffer = []
        size = 0
        for line in lines:
            buffer.append(b"%x\r\n" % len(line))
            buffer.append(line)
            buffer.append(b"\r\n")
            size += len(line)
            if size > 262144:
                self.wfile.write(b"".join(buffer))
                buffer, size = [], 0
        if buffer:
            self.wfile.write(b"".join(buffer))

    # -- responses --

    def send_body(self, code, body, content_type="application/json", extra_headers=()):
        self.record["status"] = code
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.remember()
        if self.command != "HEAD":
            self.wfile.write(body)

    def remember(self):
        store = self.server.store
        with store.lock:
            store.requests.append(self.record)


def fail_headers(rule):
    if rule.get("retryAfter") is not None:
        return [("Retry-After", str(rule["retryAfter"]))]
    if rule["status"] == 429:
        return [("Retry-After", "1")]
    return []


def convert(event, selector):
    """The line a watcher with `selector` gets for `event`, or None (the watch cache's rules)."""
    current_ok = event.type != "DELETED" and selector.matches(event.entry)
    previous_ok = event.prev is not None and selector.matches(event.prev)
    if current_ok:
        kind = b"MODIFIED" if previous_ok else b"ADDED"
        return b'{"type":"' + kind + b'","object":' + event.entry.full + b"}\n"
    if previous_ok:
        data = event.entry.full if event.type == "DELETED" else event.prev.with_resource_version(event.rv)
        return b'{"type":"DELETED","object":' + data + b"}\n"
    return None


def read_tokens(path):
    try:
        with open(path, encoding="utf-8") as f:
            return {line.split(",")[0].strip() for line in f if line.strip()}
    except OSError:
        return set()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ssl.SSLError, ConnectionError, TimeoutError, socket.timeout)):
            if self.verbose:
                sys.stderr.write("connection from %s: %s\n" % (client_address, error))
            return
        sys.stderr.write("error serving %s:\n%s" % (client_address, traceback.format_exc()))


# ---------------------------------------------------------------------------------------------
# Control commands


def run_command(command, store, state):
    op = command.get("op")
    events = []
    reply = {"ok": True}
    if op == "put":
        events = store.put_many([command.get("object")])
        reply["resourceVersion"] = str(events[-1].rv)
    elif op == "load":
        objects = command.get("objects")
        if not isinstance(objects, list):
            raise ControlError("objects must be a list")
        events = store.put_many(objects)
        with store.lock:
            reply["resourceVersion"] = str(store.rv)
    elif op == "delete":
        name = command.get("name")
        if not name:
            raise ControlError("name is required")
        events = [store.delete(command.get("kind"), command.get("namespace"), name)]
        reply["resourceVersion"] = str(events[-1].rv)
    elif op == "get":
        resource = BY_KIND.get(command.get("kind"))
        if resource is None:
            raise ControlError("unknown kind %r" % command.get("kind"))
        name = command.get("name", "")
        key = (command.get("namespace") or "default") + "/" + name if resource.namespaced else name
        with store.lock:
            entry = store.objects[resource.kind].get(key)
        if entry is None:
            raise ControlError("not found")
        reply["object"] = entry.obj
    elif op == "compact":
        store.compact(drop_watches=command.get("dropWatches") is True)
        if state:
            state.snapshot(store)
        with store.lock:
            reply["resourceVersion"] = str(store.rv)
    elif op == "drop-watches":
        reply["dropped"] = store.drop_watches()
    elif op == "fail":
        status = command.get("status")
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise ControlError("status must be an HTTP status code")
        rule = {"status": status, "count": int(command.get("count", 1)), "path": command.get("path") or "",
                "message": command.get("message"), "reason": command.get("reason"),
                "retryAfter": command.get("retryAfter")}
        with store.lock:
            store.fail_rules.append(rule)
    elif op == "delay":
        rule = {"seconds": float(command.get("seconds", 0)), "count": int(command.get("count", 1)),
                "path": command.get("path") or ""}
        with store.lock:
            store.delay_rules.append(rule)
    elif op == "clear-faults":
        with store.lock:
            store.fail_rules = []
            store.delay_rules = []
    elif op == "requests":
        with store.lock:
            reply["requests"] = list(store.requests)
    elif op == "clear-requests":
        with store.lock:
            store.requests = []
    elif op == "resource-version":
        with store.lock:
            reply["resourceVersion"] = str(store.rv)
            reply["oldestResourceVersion"] = str(store.history_start)
    elif op == "watchers":
        reply["watchers"] = store.watcher_count()
    elif op == "ping":
        pass
    elif op == "shutdown":
        reply["shutdown"] = True
    else:
        raise ControlError("unknown op %r" % op)
    if state and events:
        state.append(store, events)
    return reply


def main():
    parser = argparse.ArgumentParser(description="A test double of kube-apiserver.")
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: any free port)")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--client-ca")
    parser.add_argument("--token-file")
    parser.add_argument("--state-file")
    parser.add_argument("--history", type=int, default=100000)
    parser.add_argument("--bookmark-interval", type=float, default=1.0)
    parser.add_argument("--page-size-max", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args()

    store = Store(args.history)
    state = StateFile(args.state_file) if args.state_file else None
    if state:
        if not os.path.exists(args.state_file) or state.load(store):
            state.snapshot(store)

    host, _, port = args.listen.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    server_class = Server
    if ":" in host:
        server_class = type("Server6", (Server,), {"address_family": socket.AF_INET6})
    server = server_class((host, int(port)), Handler)
    server.store = store
    server.verbose = args.verbose
    server.token_file = args.token_file
    server.client_ca = args.client_ca
    server.bookmark_interval = max(0.01, args.bookmark_interval)
    server.page_size_max = max(0, args.page_size_max)
    server.ssl_context = None
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        context.set_alpn_protocols(["http/1.1"])
        if args.client_ca:
            context.load_verify_locations(cafile=args.client_ca)
            context.verify_mode = ssl.CERT_OPTIONAL
        server.ssl_context = context
    elif args.client_ca:
        parser.error("--client-ca needs --tls-cert")

    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    out = sys.stdout.buffer
    out.write(b"LISTENING %d\n" % server.server_address[1])
    out.flush()

    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            command = json.loads(line)
            if not isinstance(command, dict):
                raise ControlError("a command is a JSON object")
            reply = run_command(command, store, state)
        except (ControlError, ValueError, TypeError, KeyError) as error:
            reply = {"ok": False, "error": str(error) or type(error).__name__}
        except Exception as error:  # keep serving: report the failure to the test
            traceback.print_exc()
            reply = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
        out.write(dumps(reply).encode() + b"\n")
        out.flush()
        if reply.get("shutdown"):
            break

    store.drop_watches()
    server.shutdown()
    server.server_close()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
