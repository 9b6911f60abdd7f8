"""The object store the distributed night publishes to (pipeline/objectstore.py): a folder, and a real
S3 endpoint (moto's server mode on 127.0.0.1, skipped with the reason where it is not installed)."""

from __future__ import annotations

import pytest

from pipeline.objectstore import LocalStore, ObjectStoreError, parse_store_url, raw_key


def _exercise(store, tmp_path) -> None:
    src = tmp_path / "a.pdf"
    src.write_bytes(b"%PDF-1.7 one")
    key = raw_key("ab" + "0" * 62)
    assert key == f"raw/ab/ab{'0' * 62}.pdf"
    assert not store.exists(key)
    store.put_file(key, src)
    assert store.exists(key)
    assert store.get_file(key, tmp_path / "out" / "b.pdf").read_bytes() == b"%PDF-1.7 one"
    store.put_bytes("staging/d/x/_published.json", b"{}")
    assert store.get_bytes("staging/d/x/_published.json") == b"{}"
    with pytest.raises(ObjectStoreError):
        store.get_bytes("staging/d/missing")
    with pytest.raises(ObjectStoreError):
        store.get_file("staging/d/missing", tmp_path / "out" / "c")
    assert not (tmp_path / "out" / "c").exists(), "a failed download leaves no file"
    for bad in ("", "/etc/passwd", "raw/../../x"):
        with pytest.raises(ObjectStoreError):
            store.exists(bad)


def test_local_store(tmp_path):
    store = parse_store_url(str(tmp_path / "store"))
    assert isinstance(store, LocalStore)
    _exercise(store, tmp_path)
    leftovers = [p for p in (tmp_path / "store").rglob("*") if p.name.endswith(".part")]
    assert leftovers == []


def test_s3_store_publishes_atomically(tmp_path, monkeypatch):
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as e:
        pytest.skip(f"boto3 / moto's server mode not installed ({e}); .ci/run installs the scale extra")
    from scale_services import free_port

    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(k, v)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket="budgets")
        store = parse_store_url("s3://budgets/district-a", endpoint_url=endpoint)
        _exercise(store, tmp_path)
        # an object over the single-PUT size goes through a temporary key, then a copy
        import pipeline.objectstore as objectstore

        monkeypatch.setattr(objectstore, "SINGLE_PUT_MAX", 4)
        big = tmp_path / "big.bin"
        big.write_bytes(b"0123456789")
        store.put_file("raw/cd/big.pdf", big)
        store.put_bytes("staging/d/y/set.zip", b"abcdefgh")
        assert store.get_bytes("raw/cd/big.pdf") == b"0123456789"
        assert store.get_bytes("staging/d/y/set.zip") == b"abcdefgh"
        client.delete_object(Bucket="budgets", Key="district-a/raw/cd/big.pdf")
        client.delete_object(Bucket="budgets", Key="district-a/staging/d/y/set.zip")
        keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket="budgets").get("Contents", []))
        assert keys == [f"district-a/raw/ab/ab{'0' * 62}.pdf", "district-a/staging/d/x/_published.json"], \
            "objects only under their final keys: no temporary object left behind"
    finally:
        server.stop()
