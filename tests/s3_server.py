"""A real S3-protocol server on loopback for the storage tests: moto's standalone server (`moto[server]`).

The product's own client (boto3 in relookx.storage.s3) talks HTTP to it exactly as to AWS S3, R2 or
MinIO. `s3_server` accepts any credentials; `s3_auth_server` enforces IAM authentication and policies
(unknown keys are refused, a read-only user is denied writes). Each runs in its own process, so a test
can also stop one to see an outage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.services import free_port, missing

REGION = "us-east-1"
ANY_KEY = ("testing", "testing")  # any key works on a server without IAM enforcement


@dataclass
class S3Server:
    """A running moto server: its endpoint and how to make buckets on it."""

    endpoint: str
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path = field(repr=False)

    def client(self, key: tuple[str, str] = ANY_KEY):  # noqa: ANN201 - a boto3 S3 client
        """A boto3 client on this server (for setting up and checking, outside the product code)."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=key[0], aws_secret_access_key=key[1])

    def make_bucket(self, prefix: str = "relookx") -> str:
        """A new empty bucket with a unique name."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        """Stop the server (an outage)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start_s3_server(tmp: Path) -> S3Server:
    """Start `python -m moto.server` on a free loopback port and wait until it answers."""
    try:
        import moto  # noqa: F401
    except ImportError:
        missing("moto is not installed (pip install -r requirements-dev.txt)")
    port = free_port()
    log_path = tmp / f"moto-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT, env=env)
    server = S3Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 30
    while not _answers(server.endpoint):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"moto server did not start: {log_path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    return server


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A moto S3 server on loopback for the whole session (no IAM enforcement)."""
    server = start_s3_server(tmp_path_factory.mktemp("moto"))
    try:
        yield server
    finally:
        server.stop()


@dataclass
class AuthS3:
    """A moto server that enforces IAM: a bucket, a writer's and a reader's keys."""

    server: S3Server
    bucket: str
    writer: tuple[str, str]
    reader: tuple[str, str]


def _policy(actions: list[str], bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": actions, "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }]})


@pytest.fixture(scope="session")
def s3_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthS3]:
    """A second moto server whose requests are authenticated and authorised against IAM users."""
    import boto3

    server = start_s3_server(tmp_path_factory.mktemp("moto-auth"))
    try:
        iam = boto3.client("iam", endpoint_url=server.endpoint, region_name=REGION,
                           aws_access_key_id=ANY_KEY[0], aws_secret_access_key=ANY_KEY[1])
        bucket = server.make_bucket("private")
        keys = {}
        for user, actions in (("writer", ["s3:*"]), ("reader", ["s3:GetObject", "s3:ListBucket"])):
            iam.create_user(UserName=user)
            iam.put_user_policy(UserName=user, PolicyName=f"{user}-bucket", PolicyDocument=_policy(actions, bucket))
            key = iam.create_access_key(UserName=user)["AccessKey"]
            keys[user] = (key["AccessKeyId"], key["SecretAccessKey"])
        # From now on every request must be signed by a known key and allowed by its policy.
        request = urllib.request.Request(f"{server.endpoint}/moto-api/reset-auth", data=b"0", method="POST",
                                         headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=5) as resp:
            assert resp.status == 200
        yield AuthS3(server, bucket, keys["writer"], keys["reader"])
    finally:
        server.stop()
