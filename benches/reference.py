#!/usr/bin/env python3
"""Minimal Python reference for the W1 workload: json.loads per line and the seed policy
(AWS.SecurityGroup.RestrictsOutboundTraffic) written as a Python function.

Usage: python3 benches/reference.py FILE.ndjson
Prints one JSON object: {"records": N, "flagged": F, "seconds": S, "cpu_seconds": C}, where S
(wall) and C (CPU) time the loop (open, read, parse, evaluate), interpreter start-up excluded.
"""

import json
import sys
import time


def policy(resource):
    """True when compliant: the security group restricts outbound traffic.

    Same semantics as the pounce condition
    `IpPermissionsEgress not is_null and egress_allows_all_ports(IpPermissionsEgress)`
    (flagged when true): a missing or null egress list, or one that is not a list, is compliant;
    a permission with a missing/null FromPort or ToPort, or spanning 0-65535, is not.
    """
    egress = resource.get("IpPermissionsEgress")
    if not isinstance(egress, list):
        return True
    for perm in egress:
        if not isinstance(perm, dict):
            return False
        from_port = perm.get("FromPort")
        to_port = perm.get("ToPort")
        if from_port is None or to_port is None:
            return False
        if from_port == 0 and to_port == 65535:
            return False
    return True


def main(path):
    start = time.perf_counter()
    cpu_start = time.process_time()
    records = 0
    flagged = 0
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            records += 1
            if not policy(json.loads(line)):
                flagged += 1
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(
        json.dumps(
            {
                "records": records,
                "flagged": flagged,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
