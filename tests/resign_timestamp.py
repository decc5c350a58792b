#!/usr/bin/python3
"""Re-sign a repository's timestamp.json with another expiry, for the
expiry tests (lockprobe-repo refuses an expiry in the past or within a
day).  The next version, the same snapshot entry, signed with the
timestamp key lockprobe-repo made, through the openssl command line.

usage: resign_timestamp.py REPODIR KEYDIR SECONDS
SECONDS from now (negative: already expired).
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time

# PKCS#8 DER prefix of an ed25519 private key (RFC 8410), then the seed
ED25519_PKCS8 = bytes.fromhex("302e020100300506032b657004220420")


def canonical(obj):
    # TUF's canonical JSON for metadata of plain ASCII: sorted keys, no
    # blanks (the metadata lockprobe-repo writes has no other characters)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def sign(keydir, keyname, signed):
    """The signature of signed by KEYDIR/KEYNAME.key, as hex."""
    with open(os.path.join(keydir, keyname + ".key")) as f:
        seed = bytes.fromhex(json.load(f)["keyval"]["private"])
    with tempfile.TemporaryDirectory() as tmp:
        pem = os.path.join(tmp, "k.pem")
        with open(pem, "w") as f:
            f.write("-----BEGIN PRIVATE KEY-----\n%s\n"
                    "-----END PRIVATE KEY-----\n" %
                    base64.b64encode(ED25519_PKCS8 + seed).decode())
        data = os.path.join(tmp, "data")
        with open(data, "wb") as f:
            f.write(canonical(signed))
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin",
                               "-inkey", pem, "-in", data],
                              check=True, capture_output=True).stdout.hex()


def expiry(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ",
                         time.gmtime(time.time() + seconds))


def write(path, doc):
    """Replace path with doc, atomically; returns the bytes written."""
    data = json.dumps(doc, indent=1).encode()
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)
    return data


def main(repodir, keydir, seconds):
    path = os.path.join(repodir, "metadata", "timestamp.json")
    with open(path) as f:
        doc = json.load(f)
    signed = doc["signed"]
    signed["version"] += 1
    signed["expires"] = expiry(seconds)
    doc["signatures"] = [{"keyid": doc["signatures"][0]["keyid"],
                          "sig": sign(keydir, "timestamp", signed)}]
    write(path, doc)
    print("timestamp version %d expires %s" % (signed["version"],
                                               signed["expires"]))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
