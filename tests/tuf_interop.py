#!/usr/bin/python3
"""Interoperability vectors between lockprobe's TUF library and
securesystemslib (python3-securesystemslib, Debian) plus the OpenSSL command
line.  Driven by tests/tuf_interop.sh.

  tuf_interop.py gen DIR      keys, signed metadata, canonical JSON cases
  tuf_interop.py payload FILE a payload for the C code to sign
  tuf_interop.py verify FILE  check a file the C code signed
  tuf_interop.py repo DIR     a TUF repository signed by securesystemslib
  tuf_interop.py checkrepo DIR  verify a repository lockprobe-repo wrote

Exit 0 on success, 1 on failure, 77 when securesystemslib is missing.
"""

import fnmatch
import hashlib
import json
import os
import random
import subprocess
import sys

try:
    from securesystemslib import formats, keys
    from securesystemslib.signer import Signature, SSlibKey
except ImportError:
    sys.stderr.write("securesystemslib is not importable by %s\n" % sys.executable)
    sys.exit(77)


def canonical(obj):
    return formats.encode_canonical(obj).encode("utf-8")


def spec_keyid(keyobj):
    """sha256 of the canonical key object as it stands in metadata."""
    return hashlib.sha256(canonical(keyobj)).hexdigest()


def nasty_payload(rng, version):
    """A signed portion in the shape of TUF metadata, with every kind of
    value canonical JSON must get right."""
    return {
        "_type": "targets",
        "spec_version": "1.0.31",
        "version": version,
        "expires": "2030-01-01T00:00:00Z",
        "targets": {
            "lockstat/caf\u00e9.json": {
                "length": 2**53 + 1,
                "hashes": {"sha256": "%064x" % rng.getrandbits(256)},
                "custom": {
                    "quote\"back\\slash": "line\nbreak\ttab\u0001",
                    "unicode": "\u00e9\u4e2d\U0001f600\u2028",
                    "big": -(2**63),
                    "max": 2**63 - 1,
                    "zero": 0,
                    "list": [True, False, None, [], {}, ""],
                    "Z": 1, "a": 2, "\u00e9": 3, "\U0001f600": 4, "\uffff": 5,
                },
            },
        },
    }


def rand_string(rng):
    alphabet = ['"', "\\", "/", "\n", "\r", "\t", "\b", "\f", "\x01", "\x1f",
                "\x7f", "a", "Z", " ", "\u00e9", "\u0800", "\u2028", "\ufeff",
                "\uffff", "\U00010000", "\U0001f600", "\U0010ffff"]
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))


def rand_value(rng, depth):
    kind = rng.randint(0, 7 if depth < 4 else 4)
    if kind == 0:
        return rng.choice([True, False, None])
    if kind in (1, 2):
        return rng.choice([0, -1, 1, 2**31, -(2**63), 2**63 - 1,
                           rng.randint(-(2**63), 2**63 - 1)])
    if kind in (3, 4):
        return rand_string(rng)
    if kind == 5:
        return [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rand_string(rng): rand_value(rng, depth + 1)
            for _ in range(rng.randint(0, 5))}


def canonical_cases(rng):
    cases = []
    fixed = ['{"b":1,"a":2,"A":3,"aa":4,"":5}',
             '[1,"two",true,false,null,{"x":[]}]',
             '{"\\u00e9":1,"z":2,"\\ud83d\\ude00":3,"\\uffff":4}',
             '["\\"\\\\\\/\\b\\f\\n\\r\\t\\u0001"]',
             '[9223372036854775807,-9223372036854775808,-0]',
             '  {\n "nested" : { "b" : [ 1 , 2 ] , "a" : { } } }  ']
    for text in fixed:
        cases.append({"input": text,
                      "canonical": formats.encode_canonical(json.loads(text))})
    for _ in range(300):
        value = {"v": rand_value(rng, 0)}
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5,
                          indent=rng.choice([None, 1]))
        cases.append({"input": text, "canonical": formats.encode_canonical(value)})
    for text in ['[1.0]', '{"a":{"b":[0.5]}}', '[1e3]', '[-0.0]']:
        cases.append({"input": text, "error": True})
    return cases


def openssl(*args, data=None):
    return subprocess.run(["openssl"] + list(args), input=data, check=True,
                          stdout=subprocess.PIPE).stdout


def openssl_keys(tmp):
    """Keys and signers made with the OpenSSL command line: (name, keyobj,
    sign(bytes) -> hex)."""
    out = []
    rsa = os.path.join(tmp, "openssl-rsa.pem")
    openssl("genpkey", "-quiet", "-algorithm", "RSA", "-pkeyopt",
            "rsa_keygen_bits:3072",
            "-out", rsa)
    ec = os.path.join(tmp, "openssl-ec.pem")
    openssl("genpkey", "-quiet", "-algorithm", "EC", "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out", ec)

    def pub(path):
        return openssl("pkey", "-in", path, "-pubout").decode()

    def signer(path, *opts):
        def sign(data):
            return openssl("dgst", "-sha256", "-sign", path, *opts,
                           data=data).hex()
        return sign

    pss = ("-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_mgf1_md:sha256")
    for salt in ("max", "digest", "0"):
        out.append(("openssl-rsa-pss-salt-" + salt,
                    {"keytype": "rsa", "scheme": "rsassa-pss-sha256",
                     "keyval": {"public": pub(rsa)}},
                    signer(rsa, *pss, "-sigopt", "rsa_pss_saltlen:" + salt)))
    out.append(("openssl-rsa-pkcs1v15",
                {"keytype": "rsa", "scheme": "rsa-pkcs1v15-sha256",
                 "keyval": {"public": pub(rsa)}}, signer(rsa)))
    out.append(("openssl-ecdsa",
                {"keytype": "ecdsa-sha2-nistp256",
                 "scheme": "ecdsa-sha2-nistp256",
                 "keyval": {"public": pub(ec)}}, signer(ec)))
    return out


def sslib_keys():
    out = []
    gens = [("sslib-ed25519", keys.generate_ed25519_key()),
            ("sslib-ecdsa", keys.generate_ecdsa_key()),
            ("sslib-rsa-pss", keys.generate_rsa_key(bits=2048)),
            ("sslib-rsa-pkcs1v15",
             keys.generate_rsa_key(bits=2048, scheme="rsa-pkcs1v15-sha256"))]
    for name, key in gens:
        # As legacy python-tuf stored keys in root.json: with
        # keyid_hash_algorithms, and keyid = securesystemslib's keyid.
        meta = keys.format_keyval_to_metadata(key["keytype"], key["scheme"],
                                              key["keyval"], private=False)
        assert key["keyid"] == spec_keyid(meta), name

        def sign(data, key=key):
            return keys.create_signature(key, data)["sig"]
        out.append((name, meta, sign))
    return out


def sslib_verifies(keyobj, sig_hex, data):
    """Both securesystemslib verification paths must accept."""
    keyid = spec_keyid(keyobj)
    legacy = dict(keyobj, keyid=keyid)
    ok1 = keys.verify_signature(legacy, {"keyid": keyid, "sig": sig_hex}, data)
    try:
        SSlibKey.from_dict(keyid, json.loads(json.dumps(keyobj))) \
            .verify_signature(Signature(keyid, sig_hex), data)
        ok2 = True
    except Exception:  # pylint: disable=broad-except
        ok2 = False
    return ok1 and ok2


def gen(outdir):
    rng = random.Random(4)
    vectors = []
    allkeys = sslib_keys() + openssl_keys(outdir)
    for n, (name, keyobj, sign) in enumerate(allkeys):
        signed = nasty_payload(rng, n + 1)
        data = canonical(signed)
        sig = sign(data)
        if not sslib_verifies(keyobj, sig, data):
            sys.stderr.write("%s: securesystemslib refuses its own vector\n"
                             % name)
            return 1
        keyid = spec_keyid(keyobj)
        meta = {"signed": signed, "signatures": [{"keyid": keyid, "sig": sig}]}
        path = os.path.join(outdir, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(meta, f, indent=rng.choice([None, 1, 4]),
                      ensure_ascii=rng.random() < 0.5)
        with open(os.path.join(outdir, name + ".canonical"), "wb") as f:
            f.write(data)
        # Same signature over a changed signed portion: must not verify.
        meta["signed"]["version"] += 1
        with open(os.path.join(outdir, name + ".tampered.json"), "w",
                  encoding="utf-8") as f:
            json.dump(meta, f)
        vectors.append({"name": name, "key": keyobj, "keyid": keyid})
    manifest = {"vectors": vectors, "canonical": canonical_cases(rng)}
    with open(os.path.join(outdir, "vectors.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    print("wrote %d signature vectors and %d canonical JSON cases to %s"
          % (len(vectors), len(manifest["canonical"]), outdir))
    return 0


def payload(path):
    rng = random.Random(5)
    signed = nasty_payload(rng, 7)
    signed["extra"] = [rand_value(rng, 0) for _ in range(50)]
    with open(path, "w", encoding="utf-8") as f:
        json.dump(signed, f, ensure_ascii=False, indent=2)
    return 0


def verify(path, payload_path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    with open(payload_path, encoding="utf-8") as f:
        expected = json.load(f)
    passed = failed = 0
    keyobj, signed = doc["key"], doc["signed"]
    data = canonical(signed)

    def check(what, ok):
        nonlocal passed, failed
        print("%s: %s" % ("ok" if ok else "FAIL", what))
        passed += bool(ok)
        failed += not ok

    check("signed portion survives the round trip", signed == expected)
    check("C canonical form equals encode_canonical",
          doc["canonical"].encode("utf-8") == data)
    check("key id equals sha256 of the canonical key",
          doc["keyid"] == spec_keyid(keyobj))
    check("key object matches securesystemslib's KEY_SCHEMA",
          formats.KEY_SCHEMA.matches(keyobj))
    for sig in doc["signatures"]:
        check("signature by %s verifies" % sig["keyid"][:8],
              sslib_verifies(keyobj, sig["sig"], data))
        signed["version"] += 1
        check("signature refused over a changed payload",
              not sslib_verifies(keyobj, sig["sig"], canonical(signed)))
        signed["version"] -= 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def repo(outdir):
    """A small consistent-snapshot repository, every role signed by
    securesystemslib with a different key type: root rotated from ed25519
    (version 1) to ECDSA (version 2), timestamp ECDSA, snapshot RSA-PSS,
    targets ed25519, and a delegated role (RSA PKCS#1 v1.5) holding the
    target lockstat/interop.json."""
    import datetime
    exp = (datetime.datetime.utcnow() + datetime.timedelta(days=7)) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    gen = {"root1": keys.generate_ed25519_key(),
           "root2": keys.generate_ecdsa_key(),
           "timestamp": keys.generate_ecdsa_key(),
           "snapshot": keys.generate_rsa_key(bits=2048),
           "targets": keys.generate_ed25519_key(),
           "deleg": keys.generate_rsa_key(bits=2048,
                                          scheme="rsa-pkcs1v15-sha256")}
    meta = {n: keys.format_keyval_to_metadata(k["keytype"], k["scheme"],
                                              k["keyval"], private=False)
            for n, k in gen.items()}
    ids = {n: spec_keyid(meta[n]) for n in gen}

    def env(signed, *names):
        data = canonical(signed)
        return {"signed": signed,
                "signatures": [{"keyid": ids[n],
                                "sig": keys.create_signature(gen[n], data)["sig"]}
                               for n in names]}

    def write(rel, obj):
        path = os.path.join(outdir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = obj if isinstance(obj, bytes) else \
            json.dumps(obj, indent=1).encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        return data

    def hashes(data):
        return {"sha256": hashlib.sha256(data).hexdigest(),
                "sha512": hashlib.sha512(data).hexdigest()}

    def role(n):
        return {"keyids": [ids[n]], "threshold": 1}

    def common(kind, version):
        return {"_type": kind, "spec_version": "1.0.31", "version": version,
                "expires": exp}

    def root(version, rootkey):
        r = common("root", version)
        r.update({"consistent_snapshot": True,
                  "keys": {ids[n]: meta[n] for n in
                           (rootkey, "timestamp", "snapshot", "targets")},
                  "roles": {"root": role(rootkey),
                            "timestamp": role("timestamp"),
                            "snapshot": role("snapshot"),
                            "targets": role("targets")}})
        return r

    write("metadata/1.root.json", env(root(1, "root1"), "root1"))
    write("metadata/2.root.json", env(root(2, "root2"), "root1", "root2"))
    content = b'{"period": 5, "maps": ["*"]}\n'
    h = hashes(content)
    write("targets/lockstat/%s.interop.json" % h["sha256"], content)
    deleg = common("targets", 3)
    deleg["targets"] = {"lockstat/interop.json": {
        "length": len(content), "hashes": h, "custom": {"hosts": ["db1"]}}}
    write("metadata/3.sslib-role.json", env(deleg, "deleg"))
    top = common("targets", 2)
    top["targets"] = {}
    top["delegations"] = {
        "keys": {ids["deleg"]: meta["deleg"]},
        "roles": [{"name": "sslib-role", "keyids": [ids["deleg"]],
                   "threshold": 1, "terminating": True,
                   "paths": ["lockstat/*"]}]}
    td = write("metadata/2.targets.json", env(top, "targets"))
    snap = common("snapshot", 5)
    snap["meta"] = {"targets.json": {"version": 2, "length": len(td),
                                     "hashes": hashes(td)},
                    "sslib-role.json": {"version": 3}}
    sd = write("metadata/5.snapshot.json", env(snap, "snapshot"))
    ts = common("timestamp", 7)
    ts["meta"] = {"snapshot.json": {"version": 5, "length": len(sd),
                                    "hashes": hashes(sd)}}
    write("metadata/timestamp.json", env(ts, "timestamp"))
    print("wrote a securesystemslib-signed repository to %s" % outdir)
    return 0


def checkrepo(repodir):
    """securesystemslib's signature checks over what lockprobe-repo wrote:
    every role signed by its root threshold, key ids as the specification
    defines them, timestamp -> snapshot -> targets -> files consistent."""
    md = os.path.join(repodir, "metadata")
    passed = failed = 0

    def check(what, ok):
        nonlocal passed, failed
        print("%s: %s" % ("ok" if ok else "FAIL", what))
        passed += bool(ok)
        failed += not ok

    def raw(name):
        with open(os.path.join(md, name), "rb") as f:
            return f.read()

    def signed_by(doc, role, root):
        """root: root metadata, or a delegating targets role."""
        if "roles" in root["signed"]:
            r = root["signed"]["roles"][role]
            keys = root["signed"]["keys"]
        else:
            dl = root["signed"]["delegations"]
            if "succinct_roles" in dl:
                r = dl["succinct_roles"]
            else:
                r = [x for x in dl["roles"] if x["name"] == role][0]
            keys = dl["keys"]
        data = canonical(doc["signed"])
        good = set()
        for sig in doc["signatures"]:
            key = keys.get(sig["keyid"])
            if sig["keyid"] in r["keyids"] and key is not None and \
                    sslib_verifies(key, sig["sig"], data):
                good.add(sig["keyid"])
        return len(good) >= r["threshold"]

    def keyids_ok(keys):
        for keyid, key in keys.items():
            check("key id %s... is sha256 of the canonical key" % keyid[:8],
                  keyid == spec_keyid(key))

    root = json.loads(raw("1.root.json"))
    keyids_ok(root["signed"]["keys"])
    check("root signed by its own threshold", signed_by(root, "root", root))
    # every later root: signed by the threshold of the one before and its own
    v = 2
    while os.path.exists(os.path.join(md, "%d.root.json" % v)):
        new = json.loads(raw("%d.root.json" % v))
        keyids_ok(new["signed"]["keys"])
        check("root version %d signed by version %d's threshold" % (v, v - 1),
              signed_by(new, "root", root))
        check("root version %d signed by its own threshold" % v,
              signed_by(new, "root", new))
        check("root version %d says version %d" % (v, v),
              new["signed"]["version"] == v)
        root = new
        v += 1
    ts_raw = raw("timestamp.json")
    ts = json.loads(ts_raw)
    check("timestamp signature", signed_by(ts, "timestamp", root))
    info = ts["signed"]["meta"]["snapshot.json"]
    snap_raw = raw("%d.snapshot.json" % info["version"])
    check("snapshot length and hashes as timestamp says",
          len(snap_raw) == info["length"] and
          hashlib.sha256(snap_raw).hexdigest() == info["hashes"]["sha256"] and
          hashlib.sha512(snap_raw).hexdigest() == info["hashes"]["sha512"])
    snap = json.loads(snap_raw)
    check("snapshot signature", signed_by(snap, "snapshot", root))
    tv = snap["signed"]["meta"]["targets.json"]["version"]
    targets = json.loads(raw("%d.targets.json" % tv))
    check("targets signature", signed_by(targets, "targets", root))
    check("targets version %d as snapshot says" % tv,
          targets["signed"]["version"] == tv)
    for path, t in targets["signed"]["targets"].items():
        d, _, base = path.rpartition("/")
        name = os.path.join(repodir, "targets", d,
                            "%s.%s" % (t["hashes"]["sha256"], base))
        with open(name, "rb") as f:
            data = f.read()
        check("target %s: length and hashes" % path,
              len(data) == t["length"] and
              hashlib.sha256(data).hexdigest() == t["hashes"]["sha256"] and
              hashlib.sha512(data).hexdigest() == t["hashes"]["sha512"])
    if "delegations" in targets["signed"]:
        keyids_ok(targets["signed"]["delegations"]["keys"])
    dl = targets["signed"].get("delegations", {})
    delegated = [(d["name"], d) for d in dl.get("roles", [])]
    sr = dl.get("succinct_roles")
    if sr is not None:
        # TAP 15: bin names with as many hex digits as the last bin needs
        bits = sr["bit_length"]
        width = len("%x" % (2 ** bits - 1))
        delegated += [("%s-%0*x" % (sr["name_prefix"], width, i), None)
                      for i in range(2 ** bits)]

    def bin_of(path):
        h = int.from_bytes(hashlib.sha256(path.encode()).digest()[:4], "big")
        return "%s-%0*x" % (sr["name_prefix"], width, h >> (32 - bits))

    for name, d in delegated:
        dv = snap["signed"]["meta"]["%s.json" % name]["version"]
        role = json.loads(raw("%d.%s.json" % (dv, name)))
        check("delegated role %s version %d signed by the threshold "
              "targets lists" % (name, dv), signed_by(role, name, targets))
        for path, t in role["signed"]["targets"].items():
            if d is None:
                check("%s's target %s in its hash bin" % (name, path),
                      bin_of(path) == name)
                continue
            check("%s's target %s within its delegated paths" % (name, path),
                  any(fnmatch.fnmatchcase(path, p) and
                      path.count("/") == p.count("/") for p in d["paths"]))
    targets["signed"]["version"] += 1
    check("a changed targets role no longer verifies",
          not signed_by(targets, "targets", root))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "gen":
        return gen(argv[2])
    if len(argv) == 3 and argv[1] == "payload":
        return payload(argv[2])
    if len(argv) == 3 and argv[1] == "checkrepo":
        return checkrepo(argv[2])
    if len(argv) == 3 and argv[1] == "repo":
        return repo(argv[2])
    if len(argv) == 4 and argv[1] == "verify":
        return verify(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
