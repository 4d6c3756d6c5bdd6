#!/usr/bin/env python3
"""Print the request-body example of every operation of an OpenAPI file as one JSON object,
keyed "METHOD /path". The hostile-input suite mutates these examples, so a route that lands
with an example in the contract is covered without touching the suite."""
import datetime
import json
import sys

import yaml


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return None
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def main(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    out = {}
    for route, ops in (doc.get("paths") or {}).items():
        for method, op in (ops or {}).items():
            if method not in ("get", "put", "post", "patch", "delete"):
                continue
            body = resolve(doc, (op or {}).get("requestBody"))
            if not isinstance(body, dict):
                continue
            for media, content in (body.get("content") or {}).items():
                if "json" not in media:
                    continue
                example = None
                if "example" in content:
                    example = content["example"]
                elif content.get("examples"):
                    first = resolve(doc, next(iter(content["examples"].values())))
                    example = (first or {}).get("value")
                if example is None:
                    example = (resolve(doc, content.get("schema")) or {}).get("example")
                if example is not None:
                    out[f"{method.upper()} {route}"] = plain(example)
                    break
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
