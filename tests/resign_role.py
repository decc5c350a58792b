#!/usr/bin/python3
"""Re-sign a targets role (targets, or a delegated role) of a repository
made by lockprobe-repo with another expiry, for the expiry tests
(lockprobe-repo signs roles for months): the role's next version, then a
new snapshot listing it and a new timestamp, each signed with the key
lockprobe-repo made for it (KEYDIR/NAME.key).

usage: resign_role.py REPODIR KEYDIR ROLE SECONDS
SECONDS from now (negative: already expired).
"""
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resign_timestamp import expiry, sign, write  # noqa: E402


def resign(meta, keydir, name, keyname, bump):
    """Load META/NAME.json, let bump change it, sign it as keyname, and
    write NAME.json and VERSION.NAME.json (but timestamp.json alone)."""
    with open(os.path.join(meta, name + ".json")) as f:
        doc = json.load(f)
    signed = doc["signed"]
    signed["version"] += 1
    bump(signed)
    doc["signatures"] = [{"keyid": doc["signatures"][0]["keyid"],
                          "sig": sign(keydir, keyname, signed)}]
    data = write(os.path.join(meta, name + ".json"), doc)
    if name != "timestamp":
        write(os.path.join(meta, "%d.%s.json" % (signed["version"], name)),
              doc)
    return signed["version"], data


def main(repodir, keydir, role, seconds):
    meta = os.path.join(repodir, "metadata")
    rv, _ = resign(meta, keydir, role, role,
                   lambda s: s.__setitem__("expires", expiry(seconds)))
    sv, snap = resign(meta, keydir, "snapshot", "snapshot",
                      lambda s: s["meta"].__setitem__(role + ".json",
                                                      {"version": rv}))
    entry = {"version": sv, "length": len(snap),
             "hashes": {"sha256": hashlib.sha256(snap).hexdigest(),
                        "sha512": hashlib.sha512(snap).hexdigest()}}
    tv, _ = resign(meta, keydir, "timestamp", "timestamp",
                   lambda s: s["meta"].__setitem__("snapshot.json", entry))
    print("%s version %d expires in %d s; snapshot %d, timestamp %d" %
          (role, rv, seconds, sv, tv))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
