#!/usr/bin/env python3
"""Deterministic CloudTrail events for the rule-pack benchmark: the pack's own test events
(`Log:` of every test in rules/aws_cloudtrail/*.yml), varied per copy (ids, times, addresses,
user names), with p_log_type set. ALERT_SHARE (default 0.01) of the events come from tests that
expect an alert, the rest from tests that do not (real CloudTrail streams alert rarely).
Usage: gen_cloudtrail.py N OUT.ndjson [ALERT_SHARE]"""
import glob, json, random, sys, os

try:
    import yaml
except ImportError:  # PyYAML is optional: fall back to pounce's own JSON output of tests
    yaml = None

def events(root):
    out = ([], [])
    for f in sorted(glob.glob(os.path.join(root, "rules/aws_cloudtrail/*.yml"))):
        doc = yaml.safe_load(open(f))
        for t in doc.get("Tests", []) or []:
            log = t.get("Log")
            if isinstance(log, dict):
                out[1 if t.get("ExpectedResult") else 0].append(log)
    return out

def vary(ev, i, rnd):
    e = json.loads(json.dumps(ev))
    e["p_log_type"] = "AWS.CloudTrail"
    e["eventID"] = f"{i:08x}-0000-4000-8000-{rnd.getrandbits(48):012x}"
    e["eventTime"] = f"2026-{rnd.randint(1,12):02d}-{rnd.randint(1,28):02d}T{rnd.randint(0,23):02d}:{rnd.randint(0,59):02d}:{rnd.randint(0,59):02d}Z"
    if "sourceIPAddress" in e and isinstance(e["sourceIPAddress"], str) and e["sourceIPAddress"][:1].isdigit():
        e["sourceIPAddress"] = f"{rnd.randint(1,223)}.{rnd.randint(0,255)}.{rnd.randint(0,255)}.{rnd.randint(1,254)}"
    ui = e.get("userIdentity")
    if isinstance(ui, dict) and isinstance(ui.get("userName"), str):
        ui["userName"] = f"{ui['userName']}-{rnd.randint(0, 999)}"
    return e

def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    benign, alerting = events(root)
    rnd = random.Random(42)
    with open(out, "w") as f:
        for i in range(n):
            pool = alerting if rnd.random() < share else benign
            f.write(json.dumps(vary(pool[rnd.randrange(len(pool))], i, rnd), separators=(",", ":")) + "\n")

if __name__ == "__main__":
    main()
